//! `platform tenant export|import`: a tenant backed up while it serves comes back whole,
//! under its id, with its users, sessions and signing keys.

use platform::{backup, domain::TenantSlug, store::schema_name};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{
    accounts::{PASSWORD, get, post, sign_up},
    helpers::{Db, spawn_app},
};

crate::both_backends!(
    an_exported_tenant_is_imported_whole,
    a_manifest_naming_another_tenants_id_changes_nothing,
    a_backup_carrying_code_or_foreign_objects_is_refused,
    a_replace_that_fails_loses_nothing,
);

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

    let m = backup::export(&app.state.backups(), "acme", &to)
        .await
        .expect("export");
    assert!(to.join("manifest.json").is_file() && to.join(&m.data).is_file());
    let again = backup::export(&app.state.backups(), "acme", &to)
        .await
        .expect_err("not over a backup");
    assert!(format!("{again:#}").contains("not empty"), "{again:#}");
    // What happens after the backup is not in it.
    sign_up(&app, "acme", "later@acme.test").await;

    let e = backup::import(&app.state.backups(), &slug, &to, false)
        .await
        .expect_err("the tenant exists");
    assert!(format!("{e:#}").contains("--replace"), "{e:#}");
    let other = TenantSlug::parse("other").expect("slug");
    let e = backup::import(&app.state.backups(), &other, &to, false)
        .await
        .expect_err("another tenant's backup");
    assert!(format!("{e:#}").contains("is of tenant"), "{e:#}");

    app.state.tenants.delete("acme").await.expect("delete");
    assert_eq!(get(&app, "/v1/tenants/acme/me", Some(&at)).await.0, 404);
    let t = backup::import(&app.state.backups(), &slug, &to, false)
        .await
        .expect("import");
    assert_eq!(t.id, m.id, "the same id: its keys and tokens still match");
    let (st, me) = get(&app, "/v1/tenants/acme/me", Some(&at)).await;
    assert_eq!((st, me["email"].as_str()), (200, Some("ann@acme.test")));
    assert_eq!(login(&app, "ann@acme.test").await, 200);
    assert_eq!(login(&app, "later@acme.test").await, 401);

    // --replace overwrites a live tenant with the backup.
    sign_up(&app, "acme", "later@acme.test").await;
    backup::import(&app.state.backups(), &slug, &to, true)
        .await
        .expect("replace");
    assert_eq!(login(&app, "later@acme.test").await, 401);
    assert_eq!(login(&app, "ann@acme.test").await, 200);
    app.stop().await;
}

async fn login_in(app: &crate::helpers::TestApp, tenant: &str, email: &str) -> u16 {
    post(
        app,
        &format!("/v1/tenants/{tenant}/auth/login"),
        json!({ "email": email, "password": PASSWORD }),
        None,
    )
    .await
    .0
}

/// Finding 3b: the manifest's id was trusted, so `import delta --replace` with a manifest
/// naming another tenant's id deleted that other tenant, then failed and lost `delta` too.
async fn a_manifest_naming_another_tenants_id_changes_nothing(db: Db) {
    let app = spawn_app(db).await;
    let acme = app.tenant("acme").await;
    app.tenant("delta").await;
    sign_up(&app, "acme", "ann@acme.test").await;
    sign_up(&app, "delta", "dan@delta.test").await;
    let to = app.dir.path().join("backup");
    backup::export(&app.state.backups(), "delta", &to)
        .await
        .expect("export");
    let path = to.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    manifest["id"] = json!(acme.id.to_string());
    std::fs::write(&path, serde_json::to_vec(&manifest).expect("json")).expect("write");
    let slug = TenantSlug::parse("delta").expect("slug");
    let e = backup::import(&app.state.backups(), &slug, &to, true)
        .await
        .expect_err("another tenant's id");
    assert!(format!("{e:#}").contains("belongs to tenant acme"), "{e:#}");
    assert_eq!(
        login_in(&app, "acme", "ann@acme.test").await,
        200,
        "acme untouched"
    );
    assert_eq!(
        login_in(&app, "delta", "dan@delta.test").await,
        200,
        "delta untouched"
    );
    app.stop().await;
}

/// Finding 3a: `pg_restore` ran the whole archive with the platform's role; a function called
/// from a CHECK constraint made mallory an owner of another tenant while rows were copied.
/// Backups are now inspected first and nothing in them is executed; SQLite files are checked
/// against the tenant migrations' schema.
async fn a_backup_carrying_code_or_foreign_objects_is_refused(db: Db) {
    let app = spawn_app(db).await;
    let acme = app.tenant("acme").await;
    let delta = app.tenant("delta").await;
    sign_up(&app, "acme", "ann@acme.test").await;
    sign_up(&app, "delta", "dan@delta.test").await;
    let slug = TenantSlug::parse("delta").expect("slug");
    let mut tampered = Vec::new();
    match db {
        Db::Postgres => {
            let (d, a) = (schema_name(delta.id), schema_name(acme.id));
            let control = app.state.store.control();
            let evil = format!(
                "CREATE FUNCTION {d}.evil() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN \
                 INSERT INTO {a}.users (id, email, status, role, failed_logins, mfa_enabled, \
                 created_at, updated_at) VALUES (gen_random_uuid(), 'mallory@evil.test', \
                 'active', 'owner', 0, false, now(), now()) ON CONFLICT DO NOTHING; \
                 RETURN true; END $$; \
                 ALTER TABLE {d}.settings ADD CONSTRAINT evil CHECK ({d}.evil());"
            );
            control
                .execute_unprepared(&evil)
                .await
                .expect("plant a function");
            let to = app.dir.path().join("with-function");
            backup::export(&app.state.backups(), "delta", &to)
                .await
                .expect("export");
            tampered.push((to, "FUNCTION"));
            control
                .execute_unprepared(&format!(
                    "ALTER TABLE {d}.settings DROP CONSTRAINT evil; DROP FUNCTION {d}.evil(); \
                     CREATE TRIGGER t BEFORE INSERT ON {d}.users FOR EACH ROW \
                     EXECUTE FUNCTION suppress_redundant_updates_trigger();"
                ))
                .await
                .expect("plant a trigger");
            let to = app.dir.path().join("with-trigger");
            backup::export(&app.state.backups(), "delta", &to)
                .await
                .expect("export");
            tampered.push((to, "TRIGGER"));
            control
                .execute_unprepared(&format!(
                    "DROP TRIGGER t ON {d}.users; CREATE VIEW {d}.v AS SELECT 1 AS one;"
                ))
                .await
                .expect("plant a view");
            let to = app.dir.path().join("with-view");
            backup::export(&app.state.backups(), "delta", &to)
                .await
                .expect("export");
            tampered.push((to, "VIEW"));
            control
                .execute_unprepared(&format!("DROP VIEW {d}.v;"))
                .await
                .expect("clean up");
        }
        Db::Sqlite => {
            let clean = app.dir.path().join("clean");
            backup::export(&app.state.backups(), "delta", &clean)
                .await
                .expect("export");
            for (name, sql, needle) in [
                (
                    "with-trigger",
                    "CREATE TRIGGER t AFTER INSERT ON seaql_migrations BEGIN \
                     DELETE FROM users; END;",
                    "trigger",
                ),
                ("with-view", "CREATE VIEW v AS SELECT 1;", "view"),
                (
                    "with-table",
                    "CREATE TABLE extra (x TEXT DEFAULT (random()));",
                    "extra",
                ),
                (
                    "with-changed-table",
                    "ALTER TABLE users ADD COLUMN shadow TEXT CHECK (length(shadow) < 99);",
                    "users",
                ),
            ] {
                let to = app.dir.path().join(name);
                std::fs::create_dir_all(&to).expect("dir");
                for f in ["manifest.json", "tenant.db"] {
                    std::fs::copy(clean.join(f), to.join(f)).expect("copy");
                }
                let c = sea_orm::Database::connect(format!(
                    "sqlite://{}?mode=rw",
                    to.join("tenant.db").display()
                ))
                .await
                .expect("open the copy");
                c.execute_unprepared(sql).await.expect("tamper");
                c.close().await.expect("close");
                tampered.push((to, needle));
            }
            let to = app.dir.path().join("not-sqlite");
            std::fs::create_dir_all(&to).expect("dir");
            std::fs::copy(clean.join("manifest.json"), to.join("manifest.json")).expect("copy");
            std::fs::write(to.join("tenant.db"), b"this is no database").expect("write");
            tampered.push((to, "SQLite"));
        }
    }
    for (dir, needle) in tampered {
        let e = backup::import(&app.state.backups(), &slug, &dir, true)
            .await
            .expect_err("a tampered backup");
        assert!(format!("{e:#}").contains(needle), "{needle}: {e:#}");
        // Nothing changed: both tenants serve as before, and no one else got in.
        assert_eq!(
            login_in(&app, "delta", "dan@delta.test").await,
            200,
            "{needle}"
        );
        assert_eq!(
            login_in(&app, "acme", "ann@acme.test").await,
            200,
            "{needle}"
        );
        let (st, _) = post(
            &app,
            "/v1/tenants/acme/auth/password/forgot",
            json!({ "email": "mallory@evil.test" }),
            None,
        )
        .await;
        assert_eq!(st, 202);
    }
    // No staging left behind.
    if db == Db::Postgres {
        let left = app
            .state
            .store
            .control()
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'r\\_%'",
            ))
            .await
            .expect("query")
            .expect("row")
            .try_get::<i64>("", "n")
            .expect("n");
        assert_eq!(left, 0, "staging schemas are removed");
    }
    let mallory = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = mallory.read().await.expect("read");
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let found = platform::store::entities::user::Entity::find()
        .filter(platform::store::entities::user::Column::Email.eq("mallory@evil.test"))
        .one(&*tx)
        .await
        .expect("query");
    tx.commit().await.expect("commit");
    assert!(found.is_none(), "no code from a backup ran");
    app.stop().await;
}

/// `--replace` puts the backup in place in one step: when that step fails, the tenant it was
/// to replace is still there, whole.
async fn a_replace_that_fails_loses_nothing(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "old@acme.test").await;
    let to = app.dir.path().join("backup");
    let m = backup::export(&app.state.backups(), "acme", &to)
        .await
        .expect("export");
    // A new acme (another id) serves now; the backup's id is free.
    app.state.tenants.delete("acme").await.expect("delete");
    app.tenant("acme").await;
    sign_up(&app, "acme", "new@acme.test").await;
    // Something already occupies the backup tenant's place, so putting it there fails.
    match db {
        Db::Postgres => {
            app.state
                .store
                .control()
                .execute_unprepared(&format!("CREATE SCHEMA {}", schema_name(m.id)))
                .await
                .expect("a stray schema");
        }
        Db::Sqlite => {
            let stray = app
                .dir
                .path()
                .join("data/tenants")
                .join(format!("{}.db", m.id.simple()));
            std::fs::write(stray, b"").expect("a stray file");
        }
    }
    let slug = TenantSlug::parse("acme").expect("slug");
    backup::import(&app.state.backups(), &slug, &to, true)
        .await
        .expect_err("the backup's place is taken");
    assert_eq!(
        login_in(&app, "acme", "new@acme.test").await,
        200,
        "the replaced tenant stays"
    );
    assert_eq!(login_in(&app, "acme", "old@acme.test").await, 401);
    app.stop().await;
}
