//! Tenant lifecycle: slugs, duplicates, suspend/resume with cache invalidation, and delete.

use platform::{domain::TenantSlug, error::Error, store};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{Db, spawn_app};

crate::both_backends!(
    duplicate_slug_is_a_conflict,
    suspend_and_resume_apply_at_once,
    delete_removes_the_tenants_data,
    lookup_by_id_or_slug,
);

async fn duplicate_slug_is_a_conflict(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let err = app
        .state
        .tenants
        .create(&TenantSlug::parse("acme").expect("slug"), Some("Other"))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_eq!(err.status(), 409);
    assert_eq!(app.state.tenants.list().await.expect("list").len(), 1);
    app.stop().await;
}

async fn suspend_and_resume_apply_at_once(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    // Warm the lookup cache, then suspend: the change must be seen at once.
    app.state.tenants.resolve("acme").await.expect("active");
    app.state.tenants.suspend("acme").await.expect("suspend");
    for path in [
        "/v1/tenants/acme/me",
        "/v1/tenants/acme/auth/login",
        "/v1/tenants/acme",
    ] {
        let resp = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(resp.status(), 403, "{path}");
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(body["code"], "tenant_suspended", "{path}");
    }
    app.state.tenants.resume("acme").await.expect("resume");
    let resp = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        resp.status(),
        401,
        "resumed tenant: served again (no token here), not 403"
    );
    app.stop().await;
}

async fn delete_removes_the_tenants_data(db: Db) {
    let app = spawn_app(db).await;
    let t = app.tenant("acme").await;
    app.state.tenants.resolve("acme").await.expect("active");
    app.state.tenants.delete("acme").await.expect("delete");
    assert!(matches!(
        app.state.tenants.resolve("acme").await,
        Err(Error::TenantNotFound)
    ));
    match db {
        Db::Sqlite => {
            let file = app
                .dir
                .path()
                .join("data/tenants")
                .join(format!("{}.db", t.id.simple()));
            assert!(!file.exists(), "tenant file left behind");
        }
        Db::Postgres => {
            let row = app
                .state
                .store
                .control()
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM pg_namespace WHERE nspname = $1",
                    [store::schema_name(t.id).into()],
                ))
                .await
                .expect("query")
                .expect("row");
            let n: i64 = row.try_get("", "n").expect("n");
            assert_eq!(n, 0, "tenant schema left behind");
        }
    }
    // The slug is free again.
    app.tenant("acme").await;
    app.stop().await;
}

async fn lookup_by_id_or_slug(db: Db) {
    let app = spawn_app(db).await;
    let t = app.tenant("acme").await;
    let by_id = app
        .client
        .get(app.url(&format!("/v1/tenants/{}/no-such-route", t.id)))
        .send()
        .await
        .expect("request");
    let by_slug = app
        .client
        .get(app.url("/v1/tenants/acme/no-such-route"))
        .send()
        .await
        .expect("request");
    // Both resolve the tenant: the router's 404 for the unknown route, not tenant_not_found.
    for resp in [by_id, by_slug] {
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(body["code"], "not_found");
    }
    let unknown = app
        .client
        .get(app.url("/v1/tenants/no-such-tenant/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.expect("json");
    assert_eq!(body["code"], "tenant_not_found");
    app.stop().await;
}
