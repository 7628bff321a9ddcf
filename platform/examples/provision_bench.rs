//! Benchmark (not a test): tenant provisioning latency and `platform migrate` over many tenants.
//!
//!     cargo run --release -p platform --example provision_bench -- 1000
//!     PLATFORM_DATABASE_URL=postgres://… cargo run --release -p platform --example provision_bench -- 1000
//!
//! Provisions N tenants one after another into a fresh data dir (or the given, empty, PostgreSQL
//! database), prints p50/p95/max of one provisioning, then times `migrate_all` over all of them
//! twice: the check-only pass a rollout with nothing pending costs, and (after dropping each
//! tenant's migration record, as a new release would) a pass that applies a migration everywhere.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use platform::{app::AppState, config::Config, domain::TenantSlug, migrate::migrate_all};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir()?;
    // The environment picks the backend; the data and mail dirs are always fresh.
    let mut config = Config::load()?;
    config.data_dir = dir.path().join("data");
    config.mail_dir = Some(dir.path().join("mail"));
    let backend = config.backend();
    let state = AppState::build(config).await?;
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let slug = TenantSlug::parse(&format!("bench-{i:05}"))?;
        let t0 = Instant::now();
        state.tenants.create(&slug, None).await?;
        times.push(t0.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    println!(
        "backend {backend:?}: provisioned {n} tenants in {:.1} s ({:.1}/s); one provisioning p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    let t0 = Instant::now();
    let s = migrate_all(&state, false).await?;
    println!(
        "migrate (nothing pending) over {} tenants: {:.2} s ({} current, {} failed), concurrency {}",
        s.tenants,
        t0.elapsed().as_secs_f64(),
        s.already_current,
        s.failed.len(),
        state.config.migrate_concurrency
    );
    // A new release: forget the applied migration everywhere so `migrate` re-applies it.
    for t in state.tenants.list().await? {
        let tx = state.tenants.scope(&t).begin().await?;
        tx.execute_unprepared("DELETE FROM seaql_migrations")
            .await?;
        tx.commit().await?;
    }
    let t0 = Instant::now();
    let s = migrate_all(&state, false).await?;
    println!(
        "migrate (one migration pending everywhere) over {} tenants: {:.2} s ({} migrated, {} failed)",
        s.tenants,
        t0.elapsed().as_secs_f64(),
        s.migrated,
        s.failed.len()
    );
    Ok(())
}
