//! The unit of work: what a transaction records (cache invalidations and their announcement,
//! domain events) happens when it commits and never when it rolls back.

use std::time::Duration;

use platform::{
    audit::Actor,
    events::{self, DomainEvent, ENVELOPE_VERSION},
    store::Change,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::{PASSWORD, get, post, send},
    both_backends,
    helpers::{Db, TestApp, fresh_postgres_database, spawn_app, spawn_app_with},
};

both_backends!(
    a_rolled_back_change_invalidates_nothing_and_announces_nothing,
    domain_events_are_written_with_their_change,
    an_operators_action_on_a_tenant_is_in_the_operators_log_once,
    old_events_are_pruned_and_recent_ones_kept,
);

async fn old_events_are_pruned_and_recent_ones_kept(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    app.signed_in_user("acme", "ann@acme.test").await;
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let written = events::after(&scope, None, 100).await.expect("events");
    assert!(!written.is_empty());
    // Nothing is older than the cut yet.
    let cut = chrono::Utc::now() - chrono::Duration::days(events::RETENTION_DAYS);
    assert_eq!(events::prune(&scope, cut).await.expect("prune"), 0);
    assert_eq!(
        events::after(&scope, None, 100)
            .await
            .expect("events")
            .len(),
        written.len()
    );
    // A cut after them takes them all.
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    let gone = events::prune(&scope, later).await.expect("prune");
    assert_eq!(gone, u64::try_from(written.len()).expect("count"));
    assert!(
        events::after(&scope, None, 100)
            .await
            .expect("events")
            .is_empty()
    );
    app.stop().await;
}

mod sqlx_listener {
    use platform::store::NOTIFY_CHANNEL;
    use sea_orm::sqlx::postgres::PgListener;

    /// A connection of its own that hears the platform's cache announcements.
    pub struct Listener(PgListener);

    impl Listener {
        pub async fn start(url: &str) -> Self {
            let mut l = PgListener::connect(url).await.expect("listen");
            l.listen(NOTIFY_CHANNEL).await.expect("listen");
            Self(l)
        }

        /// The payloads that arrive within `wait`.
        pub async fn drain(&mut self, wait: std::time::Duration) -> Vec<String> {
            let mut out = Vec::new();
            while let Ok(Ok(n)) = tokio::time::timeout(wait, self.0.recv()).await {
                out.push(n.payload().to_owned());
            }
            out
        }
    }
}

async fn user_id(app: &TestApp, token: &str) -> Uuid {
    let (st, me) = get(app, "/v1/tenants/acme/me", Some(token)).await;
    assert_eq!(st, 200, "{me}");
    me["id"].as_str().expect("id").parse().expect("uuid")
}

async fn a_rolled_back_change_invalidates_nothing_and_announces_nothing(db: Db) {
    // On PostgreSQL a listener hears what the instance announces (SQLite runs one instance and
    // announces nothing).
    let url = match db {
        Db::Postgres => Some(fresh_postgres_database().await),
        Db::Sqlite => None,
    };
    let app = match &url {
        Some(u) => spawn_app_with(db, &[("database_url", u.as_str())]).await,
        None => spawn_app(db).await,
    };
    app.tenant("acme").await;
    let ann = app.signed_in_user("acme", "ann@acme.test").await;
    // `/me` caches the user.
    let id = user_id(&app, &ann.access).await;
    assert_eq!(id, ann.id);
    assert!(app.state.users.contains_key(&id), "/me cached the user");
    let mut heard = match &url {
        Some(u) => Some(sqlx_listener::Listener::start(u).await),
        None => None,
    };
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let event = DomainEvent::UserVerified { user: id };

    // Rolled back, and dropped without a commit: nothing recorded happens.
    let tx = scope.begin().await.expect("begin");
    tx.invalidate(Change::User { id });
    tx.invalidate(Change::Settings {
        tenant: scope.tenant_id(),
    });
    tx.emit(Actor::System, &event);
    tx.rollback().await.expect("rollback");
    let tx = scope.begin().await.expect("begin");
    tx.invalidate(Change::User { id });
    tx.emit(Actor::System, &event);
    drop(tx);
    assert!(
        app.state.users.contains_key(&id),
        "a rolled-back change dropped the cached user"
    );
    if let Some(l) = heard.as_mut() {
        let said = l.drain(Duration::from_millis(300)).await;
        assert!(
            said.is_empty(),
            "a rolled-back change was announced: {said:?}"
        );
    }
    let written = events::after(&scope, None, 100).await.expect("events");
    assert!(
        written.iter().all(|e| e.actor.kind != "system"),
        "a rolled-back change wrote an event: {written:?}"
    );

    // Committed: the cache entry goes, the other instances are told, the event is written.
    let tx = scope.begin().await.expect("begin");
    tx.invalidate(Change::User { id });
    tx.emit(Actor::System, &event);
    tx.commit().await.expect("commit");
    assert!(
        !app.state.users.contains_key(&id),
        "a committed change kept the cached user"
    );
    if let Some(l) = heard.as_mut() {
        let said = l.drain(Duration::from_millis(300)).await;
        assert!(
            said.iter().any(|p| p.contains(&id.to_string())),
            "a committed change was not announced: {said:?}"
        );
    }
    let written = events::after(&scope, None, 100).await.expect("events");
    assert_eq!(
        written.iter().filter(|e| e.actor.kind == "system").count(),
        1,
        "{written:?}"
    );
    app.stop().await;
}

async fn domain_events_are_written_with_their_change(db: Db) {
    let app = spawn_app(db).await;
    let tenant = app.tenant("acme").await;
    let ann = app.signed_in_user("acme", "ann@acme.test").await;
    let (token, id) = (ann.access.as_str(), ann.id);
    // A failed operation writes nothing: a wrong password changes no row.
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({ "current_password": "Not-The-Password-1", "new_password": "Another-Horse-7-Battery" }),
        Some(token),
    )
    .await;
    assert!(st >= 400, "{st}");
    // A refresh rotates a token of a live session: no event.
    assert_eq!(ann.email, "ann@acme.test");
    let (st, body) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({ "refresh_token": ann.refresh }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let (st, _) = post(&app, "/v1/tenants/acme/auth/logout", json!({}), Some(token)).await;
    assert_eq!(st, 204);
    let (st, body) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": "ann@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{body}");

    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let written = events::after(&scope, None, 100).await.expect("events");
    let kinds: Vec<&str> = written.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "user.created",
            "user.verified",
            "session.created",
            "session.revoked",
            "session.created"
        ],
        "{written:#?}"
    );
    for e in &written {
        assert_eq!(e.version, ENVELOPE_VERSION);
        assert_eq!(e.tenant_id, tenant.id);
        assert_eq!(e.actor.kind, "user");
        assert_eq!(e.actor.id.as_deref(), Some(id.to_string().as_str()));
    }
    assert_eq!(
        written[0].data,
        json!({ "email": "ann@acme.test", "status": "pending" })
    );
    assert_eq!(written[3].data, json!({ "reason": "logout" }));
    // A consumer follows the table from the last event it read.
    let rest = events::after(&scope, Some(written[2].id), 100)
        .await
        .expect("events");
    assert_eq!(rest, written[3..].to_vec());
    app.stop().await;
}

async fn an_operators_action_on_a_tenant_is_in_the_operators_log_once(db: Db) {
    let app = spawn_app(db).await;
    let tenant = app.tenant("acme").await;
    let id = app.signed_in_user("acme", "ann@acme.test").await.id;
    let (op, _) = crate::operators::operator(&app, "ada@platform.test", "admin").await;
    let ot = op["access_token"].as_str().expect("operator token");
    let path = format!("/v1/admin/tenants/acme/members/{id}");
    // Refused before anything changed: no entry.
    let (st, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(json!({ "role": "no-such-role", "reason": "ticket 7" })),
        ot,
    )
    .await;
    assert_eq!(st, 400);
    let (st, body) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(json!({ "role": "admin", "reason": "ticket 7" })),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{body}");

    let (st, log) = get(&app, "/v1/admin/audit-events?action=member.", Some(ot)).await;
    assert_eq!(st, 200, "{log}");
    let entries = log["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "one entry per action: {log}");
    let e = &entries[0];
    assert_eq!(e["action"], "member.role_changed");
    assert_eq!(e["operator_id"], op["user"]["id"]);
    assert_eq!(e["tenant_id"], tenant.id.to_string());
    assert_eq!(e["target_type"], "user");
    assert_eq!(e["target_id"], id.to_string());
    assert_eq!(e["reason"], "ticket 7");
    assert_eq!(e["details"], json!({ "from": "member", "to": "admin" }));

    // The tenant's events name the operator too.
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let written = events::after(&scope, None, 100).await.expect("events");
    let changed = written
        .iter()
        .find(|e| e.kind == "member.role_changed")
        .expect("a role change event");
    assert_eq!(changed.actor.kind, "operator");
    assert_eq!(changed.data, json!({ "from": "member", "to": "admin" }));
    app.stop().await;
}
