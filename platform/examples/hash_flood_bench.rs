//! Benchmark (not a test): a legitimate login's latency while one address floods failed logins
//! across many tenants, with and without the platform-wide per-address hashing budget, against
//! the same login on an idle server, in one run.
//!
//!     cargo run --release -p platform --example hash_flood_bench -- 30 20
//!
//! Arguments: tenants attacked (30) and seconds per phase (20). Each phase starts a fresh
//! platform in this process (SQLite in a temporary directory) with `tenants` + 1 tenants and
//! one user in the last. The attacker (127.0.0.1, 200 connections) sends wrong passwords to
//! random tenants as fast as it is answered, waiting a second after each `429`; the user signs
//! in with the right password ten times a second, from ten addresses in turn (127.0.0.2 to
//! .11: each address's own budget allows two hashes a second), and each sign-in's latency is
//! recorded from when it was due. Phases: `idle` (no
//! attacker), `flood, no budget` (the budget lifted, as before it existed: only the per-tenant
//! limits hold), `flood, budget` (the defaults: 30 at once, 60 a minute).

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use figment::{Figment, providers::Serialized};
use platform::{
    app::AppState,
    config::Config,
    domain::{Password, TenantSlug},
    server,
    store::entities::user,
};
use poem::listener::{Acceptor, Listener, TcpListener};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;

const PASSWORD: &str = "Correct-Horse-Battery-9";

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    hashed: u64,
    refused: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn client(from: Ipv4Addr) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .local_address(IpAddr::V4(from))
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()?)
}

async fn run_phase(
    name: &'static str,
    tenants: usize,
    secs: u64,
    flood: bool,
    budget: Option<(u32, u32)>,
) -> anyhow::Result<Phase> {
    let dir = tempfile::tempdir()?;
    let mut figment = Figment::from(Serialized::defaults(Config::default()))
        .merge(("data_dir", dir.path().join("data")))
        .merge(("mail_dir", dir.path().join("mail")));
    if let Some((per_minute, burst)) = budget {
        figment = figment
            .merge(("password_checks_per_ip_per_minute", per_minute))
            .merge(("password_checks_per_ip_burst", burst));
    }
    let state = AppState::build(Config::from_figment(figment)?).await?;
    for i in 0..tenants {
        state
            .provision_tenant(&TenantSlug::parse(&format!("victim-{i}"))?, None)
            .await?;
    }
    let home = state
        .provision_tenant(&TenantSlug::parse("home")?, None)
        .await?;
    let scope = state.tenants.scope(&home);
    let tx = scope.begin().await?;
    let now = Utc::now();
    user::Entity::insert(user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set("legit@home.test".into()),
        name: Set(None),
        password_hash: Set(Some(
            state
                .accounts
                .hasher
                .hash(&Password::parse(PASSWORD)?)
                .await?,
        )),
        status: Set(platform::users::UserStatus::Active),
        role: Set(platform::roles::Role::Member),
        email_verified_at: Set(Some(now)),
        failed_logins: Set(0),
        locked_until: Set(None),
        mfa_enabled: Set(false),
        pending_password_hash: Set(None),
        registration_contested: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&*tx)
    .await?;
    tx.commit().await?;

    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no address"))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve_with(state.clone(), acceptor, async {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let (hashed, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut attackers = Vec::new();
    if flood {
        let c = client(Ipv4Addr::new(127, 0, 0, 1))?;
        for w in 0..200usize {
            let (c, stop, hashed, refused) =
                (c.clone(), stop.clone(), hashed.clone(), refused.clone());
            attackers.push(tokio::spawn(async move {
                let mut n = w;
                while !stop.load(Ordering::Relaxed) {
                    n = n.wrapping_mul(31).wrapping_add(7);
                    let url = format!("http://{addr}/v1/tenants/victim-{}/auth/login", n % tenants);
                    let body = json!({ "email": format!("guess{n}@x.test"), "password": "Wrong-Password-1" });
                    match c.post(url).json(&body).send().await.map(|r| r.status().as_u16()) {
                        Ok(401) => {
                            hashed.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            // A refused client waits a little, as `Retry-After` asks.
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        Err(_) => {}
                    }
                }
            }));
        }
    }
    let legit: Vec<reqwest::Client> = (2..12)
        .map(|last| client(Ipv4Addr::new(127, 0, 0, last)))
        .collect::<anyhow::Result<_>>()?;
    let mut latencies = Vec::new();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut next = Instant::now();
    while Instant::now() < end {
        tokio::time::sleep_until(next.into()).await;
        let t0 = Instant::now();
        let status = legit[latencies.len() % legit.len()]
            .post(format!("http://{addr}/v1/tenants/home/auth/login"))
            .json(&json!({ "email": "legit@home.test", "password": PASSWORD }))
            .send()
            .await?
            .status();
        // Measured from when the sign-in was due, so a slow one does not hide the next.
        latencies.push(t0.duration_since(next.min(t0)) + t0.elapsed());
        anyhow::ensure!(status == 200, "the legitimate login answered {status}");
        next += Duration::from_millis(100);
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        let _ = a.await;
    }
    let _ = stop_tx.send(());
    let _ = serving.await;
    latencies.sort();
    Ok(Phase {
        name,
        latencies,
        hashed: hashed.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let secs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let phases = [
        run_phase("idle", tenants, secs, false, None).await?,
        run_phase(
            "flood, no budget",
            tenants,
            secs,
            true,
            Some((1_000_000, 1_000_000)),
        )
        .await?,
        run_phase("flood, budget", tenants, secs, true, None).await?,
    ];
    let idle_p50 = percentile(&phases[0].latencies, 0.5);
    println!(
        "legitimate login while one address floods failed logins over {tenants} tenants, {secs} s per phase"
    );
    println!(
        "| phase | logins | p50 | p99 | max | p50 ÷ idle p50 | attacker's hashes | attacker refused |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for p in &phases {
        let p50 = percentile(&p.latencies, 0.5);
        println!(
            "| {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2}× | {} | {} |",
            p.name,
            p.latencies.len(),
            p50.as_secs_f64() * 1e3,
            percentile(&p.latencies, 0.99).as_secs_f64() * 1e3,
            p.latencies
                .last()
                .copied()
                .unwrap_or_default()
                .as_secs_f64()
                * 1e3,
            p50.as_secs_f64() / idle_p50.as_secs_f64().max(1e-9),
            p.hashed,
            p.refused,
        );
    }
    Ok(())
}
