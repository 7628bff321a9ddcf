//! Benchmark (not a test): what the audit hash chain costs, measured against a baseline in the
//! same run.
//!
//!     cargo run --release -p platform --example audit_bench -- 2000
//!     PLATFORM_DATABASE_URL=postgres://… cargo run --release -p platform --example audit_bench -- 2000
//!
//! In one fresh tenant: N transactions that each insert one audit row directly (no chain: the
//! baseline), then N transactions that append through `audit::record` (serialised, chained,
//! hashed); then `chain::verify` over everything. Prints medians and the ratios.

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::EntityTrait;
use uuid::Uuid;

use platform::{
    app::AppState,
    audit::{self, Actor, Event, RequestMeta, chain},
    config::Config,
    domain::TenantSlug,
    store::entities::audit_event,
};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::load()?;
    config.data_dir = dir.path().join("data");
    config.mail_dir = Some(dir.path().join("mail"));
    let backend = config.backend();
    let state = AppState::build(config).await?;
    let tenant = state
        .provision_tenant(&TenantSlug::parse("audit-bench")?, None)
        .await?;
    let scope = state.tenants.scope(&tenant);
    let meta = RequestMeta {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("bench".into()),
        request_id: Some(Uuid::now_v7().to_string()),
    };

    let mut plain = Vec::with_capacity(n);
    let t_plain = Instant::now();
    for _ in 0..n {
        let t0 = Instant::now();
        let tx = scope.begin().await?;
        audit_event::Entity::insert(audit_event::ActiveModel::from(audit_event::Model {
            id: Uuid::now_v7(),
            occurred_at: Utc::now(),
            actor_type: "user".into(),
            actor_id: Some(Uuid::now_v7().to_string()),
            action: "auth.login".into(),
            target_type: Some("session".into()),
            target_id: Some(Uuid::now_v7().to_string()),
            outcome: "success".into(),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            request_id: meta.request_id.clone(),
            details: Some(r#"{"amr":["pwd"]}"#.into()),
            seq: None,
            prev_hash: None,
            hash: None,
        }))
        .exec(&*tx)
        .await?;
        tx.commit().await?;
        plain.push(t0.elapsed());
    }
    let plain_total = t_plain.elapsed();

    let mut chained = Vec::with_capacity(n);
    let t_chained = Instant::now();
    for _ in 0..n {
        let t0 = Instant::now();
        let tx = scope.begin().await?;
        audit::record(
            &tx,
            &meta,
            Event::ok(Actor::User(Uuid::now_v7()), "auth.login")
                .target("session", Uuid::now_v7())
                .details(serde_json::json!({ "amr": ["pwd"] })),
        )
        .await?;
        tx.commit().await?;
        chained.push(t0.elapsed());
    }
    let chained_total = t_chained.elapsed();

    let t_verify = Instant::now();
    let tx = scope.read().await?;
    let report = chain::verify(&tx, state.master_key.bytes()).await?;
    tx.commit().await?;
    let verify = t_verify.elapsed();
    anyhow::ensure!(report.broken.is_none(), "the chain must verify: {report:?}");

    let (mp, mc) = (median(plain), median(chained));
    println!(
        "backend {backend:?}, {n} events each:\n\
         plain insert   median {:.3} ms, {:.0}/s\n\
         chained append median {:.3} ms, {:.0}/s  (median ratio chained/plain {:.2}×, throughput ratio {:.2}×)\n\
         verify         {} chained events in {:.3} s ({:.0} events/s)",
        mp.as_secs_f64() * 1e3,
        n as f64 / plain_total.as_secs_f64(),
        mc.as_secs_f64() * 1e3,
        n as f64 / chained_total.as_secs_f64(),
        mc.as_secs_f64() / mp.as_secs_f64().max(1e-9),
        (n as f64 / chained_total.as_secs_f64()) / (n as f64 / plain_total.as_secs_f64()),
        report.events,
        verify.as_secs_f64(),
        report.events as f64 / verify.as_secs_f64().max(1e-9),
    );
    state.store.close().await;
    Ok(())
}
