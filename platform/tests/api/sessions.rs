//! A tenant's sessions as its admins see them: listed across members, revoked one by one.

use serde_json::json;

use crate::{
    accounts::{PASSWORD, get, post},
    helpers::{Db, spawn_app},
    members::{at, delete, join, tenant_with_owner},
};

crate::both_backends!(tenant_sessions_can_be_listed_and_revoked,);

async fn tenant_sessions_can_be_listed_and_revoked(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let mem = join(&app, ot, "max@acme.test", "member").await;
    let mid = mem["user"]["id"].as_str().expect("id").to_owned();
    let (st, _) = get(&app, "/v1/tenants/acme/sessions", Some(at(&mem))).await;
    assert_eq!(st, 403, "members lack sessions:read");
    let (st, page) = get(&app, "/v1/tenants/acme/sessions", Some(ot)).await;
    assert_eq!(st, 200);
    assert!(
        page["items"]
            .to_string()
            .contains(mem["session_id"].as_str().expect("sid"))
    );
    let (_, mine) = get(
        &app,
        &format!("/v1/tenants/acme/sessions?user_id={mid}"),
        Some(ot),
    )
    .await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["user_id"] == mid.as_str())
    );
    let (st, _) = delete(
        &app,
        &format!(
            "/v1/tenants/acme/sessions/{}",
            mem["session_id"].as_str().expect("sid")
        ),
        ot,
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(at(&mem))).await;
    assert_eq!(st, 401, "revoked at once");
    let (st, _) = delete(
        &app,
        &format!("/v1/tenants/acme/sessions/{}", uuid::Uuid::now_v7()),
        ot,
    )
    .await;
    assert_eq!(st, 404);
    // All of a member's sessions.
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (_, p) = post(
            &app,
            "/v1/tenants/acme/auth/login",
            json!({ "email": "max@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
        tokens.push(at(&p).to_owned());
    }
    let (st, n) = delete(
        &app,
        &format!("/v1/tenants/acme/members/{mid}/sessions"),
        ot,
    )
    .await;
    assert_eq!((st, n["revoked"].as_u64()), (200, Some(2)));
    for t in &tokens {
        assert_eq!(get(&app, "/v1/tenants/acme/me", Some(t)).await.0, 401);
    }
    app.stop().await;
}
