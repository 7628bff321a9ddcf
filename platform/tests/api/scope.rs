//! The tenant scope: isolation under concurrency, failing closed outside a scope, and no
//! connection left pointed at a tenant.

use std::time::Duration;

use chrono::Utc;
use platform::store::entities::invitation;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, Statement, TransactionTrait,
};

use crate::helpers::{Db, spawn_app, spawn_app_with};

crate::both_backends!(
    concurrent_tasks_never_see_another_tenants_rows,
    a_query_outside_a_scope_fails,
    no_connection_is_left_pointed_at_a_tenant,
);

fn invitation_row(email: String) -> invitation::ActiveModel {
    let now = Utc::now();
    invitation::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        token_hash: Set(format!("{:064x}", uuid::Uuid::new_v4().as_u128())),
        email: Set(email),
        role: Set(platform::roles::Role::Member),
        expires_at: Set(now),
        created_at: Set(now),
        accepted_at: Set(None),
        revoked_at: Set(None),
        invited_by: Set(None),
    }
}

/// Many tasks alternate between tenants, writing and reading; none ever sees a row of another.
async fn concurrent_tasks_never_see_another_tenants_rows(db: Db) {
    let app = spawn_app(db).await;
    let slugs = ["alpha", "bravo", "charlie", "delta"];
    let mut tenants = Vec::new();
    for s in slugs {
        tenants.push(app.tenant(s).await);
    }
    let mut tasks = Vec::new();
    for i in 0..200usize {
        let t = tenants[i % tenants.len()].clone();
        let scope = app.state.tenants.scope(&t);
        tasks.push(tokio::spawn(async move {
            let tx = scope.begin().await.expect("begin");
            invitation::Entity::insert(invitation_row(format!("user{i}@{}.test", t.slug)))
                .exec(&*tx)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
            let tx = scope.begin().await.expect("begin");
            let rows = invitation::Entity::find().all(&*tx).await.expect("read");
            tx.commit().await.expect("commit");
            let foreign = rows
                .iter()
                .filter(|r| !r.email.ends_with(&format!("@{}.test", t.slug)))
                .count();
            (rows.len(), foreign)
        }));
    }
    let mut foreign_total = 0;
    for task in tasks {
        let (seen, foreign) = task.await.expect("task");
        assert!(seen >= 1, "a task must see its own row");
        foreign_total += foreign;
    }
    assert_eq!(foreign_total, 0, "rows of another tenant were visible");
    // Each tenant holds exactly its own 50 rows.
    for t in &tenants {
        let tx = app.state.tenants.scope(t).begin().await.expect("begin");
        let n = invitation::Entity::find()
            .all(&*tx)
            .await
            .expect("read")
            .len();
        assert_eq!(n, 50, "tenant {}", t.slug);
    }
    app.stop().await;
}

/// Tenant tables do not exist outside a scope: the query fails instead of reading anything.
async fn a_query_outside_a_scope_fails(db: Db) {
    let app = spawn_app(db).await;
    let t = app.tenant("alpha").await;
    let tx = app.state.tenants.scope(&t).begin().await.expect("begin");
    invitation::Entity::insert(invitation_row("a@alpha.test".into()))
        .exec(&*tx)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let control = app.state.store.control();
    let err = invitation::Entity::find()
        .all(control)
        .await
        .expect_err("tenant table outside a scope must fail");
    let text = err.to_string().to_lowercase();
    assert!(
        text.contains("invitations") || text.contains("no such table"),
        "unexpected error: {text}"
    );
    // A plain transaction on the shared pool is no scope either.
    let txn = control.begin().await.expect("begin");
    assert!(invitation::Entity::find().all(&txn).await.is_err());
    drop(txn);
    app.stop().await;
}

/// Scoped transactions that commit, roll back, are dropped or are cancelled mid-query leave
/// every pooled connection pointed at the control plane.
async fn no_connection_is_left_pointed_at_a_tenant(db: Db) {
    // A cancelled `pg_sleep(5)` keeps its connection busy until the server finishes it: wait
    // for connections longer than the default, which fails fast on purpose.
    let app = spawn_app_with(db, &[("pg_acquire_timeout_ms", "15000")]).await;
    let t = app.tenant("alpha").await;
    let scope = app.state.tenants.scope(&t);
    for round in 0..20 {
        let tx = scope.begin().await.expect("begin");
        invitation::Entity::find().all(&*tx).await.expect("read");
        match round % 4 {
            0 => tx.commit().await.expect("commit"),
            1 => tx.rollback().await.expect("rollback"),
            2 => drop(tx),
            _ => {
                // Cancel a statement part-way by dropping its future on a timeout.
                let slow = match db {
                    Db::Postgres => "SELECT pg_sleep(5)",
                    Db::Sqlite => {
                        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
                         SELECT count(*) FROM c"
                    }
                };
                let backend = tx.get_database_backend();
                let _ = tokio::time::timeout(
                    Duration::from_millis(50),
                    tx.query_one_raw(Statement::from_string(backend, slow)),
                )
                .await;
                drop(tx);
            }
        }
    }
    let control = app.state.store.control();
    if db == Db::Postgres {
        // Hold every connection of the pool (4 in tests) at once and ask each where it points.
        let mut held = Vec::new();
        for _ in 0..4 {
            let txn = control.begin().await.expect("begin");
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT current_setting('search_path') AS sp",
                ))
                .await
                .expect("query")
                .expect("row");
            let sp: String = row.try_get("", "sp").expect("search_path");
            assert_eq!(
                sp, "control",
                "a pooled connection still points at a tenant"
            );
            held.push(txn);
        }
    }
    for _ in 0..8 {
        assert!(invitation::Entity::find().all(control).await.is_err());
    }
    app.stop().await;
}

/// More tenants than open pools (SQLite keeps 2 here): evicted pools stay usable by whoever still
/// holds them, and every tenant keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evicting_tenant_pools_under_load_breaks_nothing() {
    let app = spawn_app_with(Db::Sqlite, &[("sqlite_open_tenants", "2")]).await;
    let mut tenants = Vec::new();
    for i in 0..8 {
        tenants.push(app.tenant(&format!("tenant-{i}")).await);
    }
    let mut tasks = Vec::new();
    for i in 0..160usize {
        let t = tenants[i % tenants.len()].clone();
        let scope = app.state.tenants.scope(&t);
        tasks.push(tokio::spawn(async move {
            let tx = scope.begin().await?;
            invitation::Entity::insert(invitation_row(format!("u{i}@{}.test", t.slug)))
                .exec(&*tx)
                .await?;
            tokio::task::yield_now().await;
            let n = invitation::Entity::find().all(&*tx).await?.len();
            tx.commit().await?;
            anyhow::Ok(n)
        }));
    }
    for task in tasks {
        task.await
            .expect("task")
            .expect("scoped work succeeds despite evictions");
    }
    app.stop().await;
}
