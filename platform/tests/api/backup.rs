//! `platform tenant export|import`: a tenant backed up while it serves comes back whole,
//! under its id, with its users, sessions and signing keys.

use platform::{domain::TenantSlug, tenants::backup};
use serde_json::json;

use crate::{
    accounts::{PASSWORD, get, post, sign_up},
    helpers::{Db, spawn_app},
};

crate::both_backends!(an_exported_tenant_is_imported_whole);

async fn login(app: &crate::helpers::TestApp, email: &str) -> u16 {
    post(
        app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": email, "password": PASSWORD }),
        None,
    )
    .await
    .0
}

async fn an_exported_tenant_is_imported_whole(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "ann@acme.test").await;
    let at = pair["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let slug = TenantSlug::parse("acme").expect("slug");
    let to = app.dir.path().join("backup");

    let m = backup::export(&app.state, "acme", &to)
        .await
        .expect("export");
    assert!(to.join("manifest.json").is_file() && to.join(&m.data).is_file());
    let again = backup::export(&app.state, "acme", &to)
        .await
        .expect_err("not over a backup");
    assert!(format!("{again:#}").contains("not empty"), "{again:#}");
    // What happens after the backup is not in it.
    sign_up(&app, "acme", "later@acme.test").await;

    let e = backup::import(&app.state, &slug, &to, false)
        .await
        .expect_err("the tenant exists");
    assert!(format!("{e:#}").contains("--replace"), "{e:#}");
    let other = TenantSlug::parse("other").expect("slug");
    let e = backup::import(&app.state, &other, &to, false)
        .await
        .expect_err("another tenant's backup");
    assert!(format!("{e:#}").contains("is of tenant"), "{e:#}");

    app.state.tenants.delete("acme").await.expect("delete");
    assert_eq!(get(&app, "/v1/tenants/acme/me", Some(&at)).await.0, 404);
    let t = backup::import(&app.state, &slug, &to, false)
        .await
        .expect("import");
    assert_eq!(t.id, m.id, "the same id: its keys and tokens still match");
    let (st, me) = get(&app, "/v1/tenants/acme/me", Some(&at)).await;
    assert_eq!((st, me["email"].as_str()), (200, Some("ann@acme.test")));
    assert_eq!(login(&app, "ann@acme.test").await, 200);
    assert_eq!(login(&app, "later@acme.test").await, 401);

    // --replace overwrites a live tenant with the backup.
    sign_up(&app, "acme", "later@acme.test").await;
    backup::import(&app.state, &slug, &to, true)
        .await
        .expect("replace");
    assert_eq!(login(&app, "later@acme.test").await, 401);
    assert_eq!(login(&app, "ann@acme.test").await, 200);
    app.stop().await;
}
