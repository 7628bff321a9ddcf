//! The tenant audit log end to end: filters and pages, its hash chain (`platform audit verify`
//! names an edited and a deleted row) and retention behind a signed checkpoint.

use crate::{
    accounts::get,
    helpers::{Db, TestApp, spawn_app},
    members::{at, join, tenant_with_owner},
};

crate::both_backends!(
    the_audit_log_filters_and_pages,
    audit_verify_names_an_edited_or_deleted_row,
    retention_prunes_behind_a_signed_checkpoint,
);

async fn the_audit_log_filters_and_pages(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let oid = owner["user"]["id"].as_str().expect("id").to_owned();
    for i in 0..3 {
        join(&app, ot, &format!("m{i}@acme.test"), "member").await;
    }
    let (st, all) = get(&app, "/v1/tenants/acme/audit-events?limit=200", Some(ot)).await;
    assert_eq!(st, 200);
    let items = all["items"].as_array().expect("items").clone();
    assert!(items.len() >= 8, "{}", items.len());
    let seqs: Vec<i64> = items
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seqs:?}"
    );
    for e in &items {
        assert!(e["hash"].as_str().is_some_and(|h| h.len() == 64));
    }
    // Pages of 3 cover everything once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tenants/acme/audit-events?limit=3&cursor={c}"),
            None => "/v1/tenants/acme/audit-events?limit=3".into(),
        };
        let (_, page) = get(&app, &path, Some(ot)).await;
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), items.len());
    let (_, inv) = get(
        &app,
        "/v1/tenants/acme/audit-events?action=invitation.",
        Some(ot),
    )
    .await;
    assert!(inv["items"].as_array().expect("items").iter().all(|e| {
        e["action"]
            .as_str()
            .expect("action")
            .starts_with("invitation.")
    }));
    let (_, mine) = get(
        &app,
        &format!("/v1/tenants/acme/audit-events?actor={oid}&action=invitation.created"),
        Some(ot),
    )
    .await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 3);
    let (_, future) = get(
        &app,
        "/v1/tenants/acme/audit-events?since=2100-01-01T00:00:00Z",
        Some(ot),
    )
    .await;
    assert_eq!(future["items"].as_array().expect("items").len(), 0);
    for bad in [
        "limit=0",
        "limit=201",
        "actor=someone",
        "action=DROP%20TABLE",
        "cursor=zz",
    ] {
        let (st, _) = get(
            &app,
            &format!("/v1/tenants/acme/audit-events?{bad}"),
            Some(ot),
        )
        .await;
        assert_eq!(st, 400, "{bad}");
    }
    app.stop().await;
}

/// Runs `platform audit verify acme` against the app's database and data directory.
fn verify_cli(app: &TestApp) -> std::process::Output {
    crate::helpers::platform_cli(app, &["audit", "verify", "acme"])
}

async fn audit_verify_names_an_edited_or_deleted_row(db: Db) {
    use platform::store::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    for i in 0..3 {
        join(&app, at(&owner), &format!("m{i}@acme.test"), "member").await;
    }
    let out = verify_cli(&app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("checks"));

    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("tx");
    let rows = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Seq)
        .all(&*tx)
        .await
        .expect("rows");
    tx.commit().await.expect("commit");
    let victim = &rows[3];

    // Edit one row: its outcome flips.
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Outcome, Expr::value("failure"))
        .filter(audit_event::Column::Id.eq(victim.id))
        .exec(&*tx)
        .await
        .expect("edit");
    tx.commit().await.expect("commit");
    let out = verify_cli(&app);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(&victim.id.to_string()),
        "names the edited row: {err}"
    );
    assert!(err.contains("altered"), "{err}");

    // Put it back, then delete it instead.
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::update_many()
        .col_expr(
            audit_event::Column::Outcome,
            Expr::value(victim.outcome.clone()),
        )
        .filter(audit_event::Column::Id.eq(victim.id))
        .exec(&*tx)
        .await
        .expect("restore");
    tx.commit().await.expect("commit");
    assert!(verify_cli(&app).status.success());
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::delete_by_id(victim.id)
        .exec(&*tx)
        .await
        .expect("delete");
    tx.commit().await.expect("commit");
    let out = verify_cli(&app);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let seq = victim.seq.expect("seq");
    assert!(
        err.contains(&format!("event(s) {seq} are missing")),
        "names the deleted row's position: {err}"
    );
    app.stop().await;
}

async fn retention_prunes_behind_a_signed_checkpoint(db: Db) {
    use platform::{
        audit::{chain, retention},
        store::entities::audit_checkpoint,
    };
    use sea_orm::{EntityTrait, sea_query::Expr};
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    join(&app, at(&owner), "m@acme.test", "member").await;
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let key = app.state.master_key.bytes();
    let pruned = retention::prune(
        &scope,
        key,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("prune");
    assert!(pruned >= 4, "{pruned}");
    // New events chain onto the checkpoint, and the whole still verifies.
    join(&app, at(&owner), "n@acme.test", "member").await;
    let tx = scope.read().await.expect("tx");
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(report.broken.is_none(), "{report:?}");
    assert!(report.checkpoint_seq.is_some());
    assert!(report.events >= 3, "{report:?}");
    // A forged checkpoint (written without the master key) is caught.
    let tx = scope.begin().await.expect("tx");
    audit_checkpoint::Entity::update_many()
        .col_expr(audit_checkpoint::Column::Seq, Expr::value(1i64))
        .exec(&*tx)
        .await
        .expect("forge");
    tx.commit().await.expect("commit");
    let tx = scope.read().await.expect("tx");
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(
        report
            .broken
            .as_ref()
            .is_some_and(|b| b.reason.contains("checkpoint")),
        "{report:?}"
    );
    app.stop().await;
}
