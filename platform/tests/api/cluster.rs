//! Several instances on one PostgreSQL: what one instance changes, the others act on within a
//! second (LISTEN/NOTIFY), although each keeps its own caches.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    accounts::{PASSWORD, get, post, send, sign_up},
    helpers::{Db, TestApp, fresh_postgres_database, spawn_app_with},
};

/// Two instances sharing one database and one master key.
async fn two_instances() -> (TestApp, TestApp) {
    let url = fresh_postgres_database().await;
    let key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=";
    let extra = [("database_url", url.as_str()), ("master_key", key)];
    let a = spawn_app_with(Db::Postgres, &extra).await;
    let b = spawn_app_with(Db::Postgres, &extra).await;
    (a, b)
}

/// Polls `GET path` on `app` with `token` until it answers `want`; how long that took.
async fn until_status(app: &TestApp, path: &str, token: &str, want: u16) -> Duration {
    let start = Instant::now();
    loop {
        let (st, body) = get(app, path, Some(token)).await;
        if st == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{path} still answers {st} after 5 s, not {want}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_is_honoured_by_the_other_within_a_second() {
    if !crate::helpers::postgres_or_skip() {
        return;
    }
    let (a, b) = two_instances().await;
    a.tenant("acme").await;
    let first = sign_up(&a, "acme", "ann@acme.test").await;
    let at = first["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let me = "/v1/tenants/acme/me";
    // B has the tenant, its keys, the session and the user cached from here on.
    let (st, body) = get(&b, me, Some(&at)).await;
    assert_eq!(st, 200, "{body}");

    // A logout on A is refused on B.
    let (st, _) = post(&a, "/v1/tenants/acme/auth/logout", json!({}), Some(&at)).await;
    assert_eq!(st, 204);
    let took = until_status(&b, me, &at, 401).await;
    assert!(
        took < Duration::from_secs(1),
        "B honoured the logout after {took:?}"
    );

    // A suspension on A closes the tenant on B; resuming opens it again.
    let (_, pair) = post(
        &a,
        "/v1/tenants/acme/auth/login",
        json!({"email": "ann@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    let at = pair["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    assert_eq!(get(&b, me, Some(&at)).await.0, 200);
    a.state.tenants.suspend("acme").await.expect("suspend");
    let took = until_status(&b, me, &at, 403).await;
    assert!(
        took < Duration::from_secs(1),
        "B saw the suspension after {took:?}"
    );
    a.state.tenants.resume("acme").await.expect("resume");
    let took = until_status(&b, me, &at, 200).await;
    assert!(
        took < Duration::from_secs(1),
        "B saw the resumption after {took:?}"
    );

    // Two rotations on A retire the key that signed `at`: B stops honouring it.
    let scope = a.state.tenants.resolve("acme").await.expect("scope");
    a.state.keys.rotate(&scope).await.expect("rotate");
    a.state.keys.rotate(&scope).await.expect("rotate again");
    let took = until_status(&b, me, &at, 401).await;
    assert!(
        took < Duration::from_secs(1),
        "B dropped the retired key after {took:?}"
    );

    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_and_status_changes_on_one_instance_apply_on_the_other() {
    if !crate::helpers::postgres_or_skip() {
        return;
    }
    let (a, b) = two_instances().await;
    let owner = crate::members::tenant_with_owner(&a, "acme", "owner@acme.test").await;
    let owner_at = owner["access_token"]
        .as_str()
        .expect("owner token")
        .to_owned();
    let bob = sign_up(&a, "acme", "bob@acme.test").await;
    let bob_at = bob["access_token"].as_str().expect("bob token").to_owned();
    let bob_id = bob["user"]["id"].as_str().expect("bob's id").to_owned();
    let member = format!("/v1/tenants/acme/members/{bob_id}");
    let audit = "/v1/tenants/acme/audit-events";
    // B caches Bob as he is now: no audit access.
    assert_eq!(get(&b, audit, Some(&bob_at)).await.0, 403);

    let set = |body: serde_json::Value| {
        let (a, owner_at, member) = (&a, owner_at.clone(), member.clone());
        async move {
            let (st, out) = send(a, reqwest::Method::PATCH, &member, Some(body), &owner_at).await;
            assert_eq!(st, 200, "{out}");
        }
    };
    set(json!({ "role": "admin" })).await;
    let took = until_status(&b, audit, &bob_at, 200).await;
    assert!(
        took < Duration::from_secs(1),
        "B saw the promotion after {took:?}"
    );
    set(json!({ "role": "member" })).await;
    let took = until_status(&b, audit, &bob_at, 403).await;
    assert!(
        took < Duration::from_secs(1),
        "B saw the demotion after {took:?}"
    );
    set(json!({ "status": "disabled" })).await;
    let took = until_status(&b, "/v1/tenants/acme/me", &bob_at, 401).await;
    assert!(
        took < Duration::from_secs(1),
        "B saw the disabling after {took:?}"
    );
    a.stop().await;
    b.stop().await;
}

/// A burst of guesses at one account spread over two instances: the stored lockout is shared,
/// so exactly ten guesses are checked whatever the instance (each instance's in-memory limits
/// are lifted by the tenant here), and the lock is the first step.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_over_two_instances_gets_ten_checks() {
    if !crate::helpers::postgres_or_skip() {
        return;
    }
    use platform::store::entities::{audit_event, user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (a, b) = two_instances().await;
    a.tenant("acme").await;
    crate::accounts::lift_limits(&a, "acme", &["login_ip", "login_account"]).await;
    sign_up(&a, "acme", "dee@acme.test").await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            let (c, url) = (app.client.clone(), app.url("/v1/tenants/acme/auth/login"));
            tokio::spawn(async move {
                c.post(url)
                    .json(&json!({ "email": "dee@acme.test", "password": "Wrong-Password-1" }))
                    .send()
                    .await
                    .expect("answer")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), 401);
    }
    let scope = a.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("read");
    let u = user::Entity::find()
        .filter(user::Column::Email.eq("dee@acme.test"))
        .one(&*tx)
        .await
        .expect("query")
        .expect("user");
    // Checked guesses are audited against the account; refused ones anonymously.
    let checked = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("auth.login"))
        .filter(audit_event::Column::Outcome.eq("failure"))
        .filter(audit_event::Column::ActorId.eq(u.id.to_string()))
        .all(&*tx)
        .await
        .expect("events")
        .len();
    tx.commit().await.expect("commit");
    assert_eq!(u.failed_logins, 10);
    assert_eq!(checked, 10, "ten guesses reached the hash");
    let left = u.locked_until.expect("locked") - chrono::Utc::now();
    assert!(left <= chrono::Duration::seconds(61), "{left}");
    a.stop().await;
    b.stop().await;
}
