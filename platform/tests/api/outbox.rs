//! The durable outbox: delivery through a real SMTP server, and an SMTP outage during which mail
//! stays queued and is then delivered once, none lost and none twice.

use platform::{
    domain::EmailAddress,
    mail::{
        messages::EmailVerification,
        sender::{Report, Sender},
    },
    store::entities::outbox,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Db, TestApp, free_port, spawn_app_with, start_smtp};

crate::both_backends!(
    delivers_through_smtp,
    an_smtp_outage_delays_mail_but_loses_none,
    the_server_retries_waiting_mail_before_any_full_sweep
);

async fn queue(app: &TestApp, slug: &str, to: &str, code: &str) {
    let t = app.state.tenants.get(slug).await.expect("tenant");
    let mut tx = app.state.tenants.scope(&t).begin().await.expect("begin");
    app.state
        .mailer
        .queue(
            &mut tx,
            &app.state.mailer.branding_for(&t.name),
            &EmailAddress::parse(to).expect("email"),
            &EmailVerification {
                code: code.to_owned(),
                expires_minutes: 10,
            },
        )
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
}

async fn delivers_through_smtp(db: Db) {
    let port = free_port();
    let inbox = start_smtp(port);
    let url = format!("smtp://127.0.0.1:{port}");
    // A long sweep so only this test's explicit delivery round sends.
    let app = spawn_app_with(db, &[("smtp_url", &url), ("outbox_sweep_secs", "3600")]).await;
    app.tenant("acme").await;
    queue(&app, "acme", "alice@acme.test", "482913").await;
    // The running server's sender is woken by the commit.
    for _ in 0..100 {
        if !inbox.messages().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = inbox.messages();
    assert_eq!(got.len(), 1, "exactly one message delivered");
    assert!(got[0].contains("alice@acme.test") && got[0].contains("482913"));
    // Delivered bodies are erased: codes do not outlive their delivery. (The sender marks the
    // row once the server has accepted the message, a moment after the inbox sees it.)
    let t = app.state.tenants.get("acme").await.expect("tenant");
    let mut rows = Vec::new();
    for _ in 0..100 {
        let tx = app.state.tenants.scope(&t).begin().await.expect("begin");
        rows = outbox::Entity::find().all(&*tx).await.expect("rows");
        tx.commit().await.expect("commit");
        if rows.iter().all(|r| r.status == "sent") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "sent");
    assert!(rows[0].text_body.is_empty() && rows[0].html_body.is_empty());
    app.stop().await;
}

async fn an_smtp_outage_delays_mail_but_loses_none(db: Db) {
    let port = free_port(); // nothing listens here yet: the outage
    let url = format!("smtp://127.0.0.1:{port}");
    // The server's own sender sweeps rarely; this test drives delivery rounds itself.
    let app = spawn_app_with(
        db,
        &[
            ("smtp_url", &url),
            ("outbox_sweep_secs", "3600"),
            ("mail_retry_base_ms", "100"),
        ],
    )
    .await;
    app.tenant("acme").await;
    let sender = Sender::new(&app.state.config, app.state.tenants.clone(), None).expect("sender");
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let mut failed = 0;
    for i in 0..3 {
        queue(
            &app,
            "acme",
            &format!("user{i}@acme.test"),
            &format!("10000{i}"),
        )
        .await;
    }
    // Rounds during the outage: every attempt fails, nothing is lost.
    for _ in 0..3 {
        let r = sender.deliver_due(&scope).await.expect("round");
        assert_eq!(r.sent, 0);
        failed += r.retried;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    assert!(failed >= 3, "attempts were made during the outage");
    let tx = scope.begin().await.expect("begin");
    let pending = outbox::Entity::find()
        .filter(outbox::Column::Status.eq("pending"))
        .all(&*tx)
        .await
        .expect("rows");
    drop(tx);
    assert_eq!(pending.len(), 3, "all three stay queued");
    assert!(pending.iter().all(|m| m.last_error.is_some()));

    // The server comes back.
    let inbox = start_smtp(port);
    let mut sent = 0;
    for _ in 0..50 {
        let Report { sent: s, .. } = sender.deliver_due(&scope).await.expect("round");
        sent += s;
        if sent == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sent, 3);
    // Further rounds send nothing again.
    assert_eq!(sender.deliver_due(&scope).await.expect("round").sent, 0);
    let got = inbox.messages();
    assert_eq!(got.len(), 3, "each message delivered exactly once");
    for i in 0..3 {
        assert_eq!(
            got.iter()
                .filter(|m| m.contains(&format!("user{i}@acme.test")))
                .count(),
            1
        );
    }
    app.stop().await;
}

/// The server's own sender keeps a tenant whose mail failed on its retry list, so the mail goes
/// out soon after the SMTP server returns, long before the next sweep of every tenant.
async fn the_server_retries_waiting_mail_before_any_full_sweep(db: Db) {
    let port = free_port(); // the outage
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(
        db,
        &[
            ("smtp_url", &url),
            ("outbox_sweep_secs", "1"),
            ("mail_retry_base_ms", "100"),
        ],
    )
    .await;
    // The start-up sweep is over before the tenant exists; the next one is 12 s away.
    app.tenant("acme").await;
    queue(&app, "acme", "ann@acme.test", "123456").await;
    let t = app.state.tenants.get("acme").await.expect("tenant");
    app.state.store.outbox_signal().wake(t.id);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let inbox = start_smtp(port);
    let mut got = Vec::new();
    for _ in 0..60 {
        got = inbox.messages();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got.len(), 1, "delivered once, by a retry round");
    assert!(got[0].contains("ann@acme.test"));
    app.stop().await;
}
