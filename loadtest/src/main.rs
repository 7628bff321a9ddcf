//! The load generator: starts the platform (SQLite, or an empty PostgreSQL database), populates
//! tenants and users through the generated Rust client, runs the profiles one after another,
//! and writes a JSON and HTML report that states each figure against a ceiling measured in the
//! same run.
//!
//!     cargo build --release -p platform -p loadtest
//!     target/release/loadtest --tenants 1000 --users 2 --out loadtest/reports/sqlite

mod ceiling;
mod charts;
mod mailbox;
mod populate;
mod profiles;
mod report;
mod runner;
mod server;
mod stats;

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::{Result, ensure};
use clap::Parser;
use platform_client::{Client, Credentials};

use crate::{
    mailbox::Mailbox,
    profiles::{Profile, Shared},
    report::{Machine, ProfileResult, Report},
    server::Server,
};

#[derive(Parser, Debug)]
#[command(about = "Load generator: populate, run profiles, report against measured ceilings")]
struct Args {
    /// The platform binary to start.
    #[arg(long, default_value = "target/release/platform")]
    platform: PathBuf,
    /// An empty PostgreSQL database to run on; SQLite in a temporary directory without it.
    #[arg(long, env = "LOADTEST_DATABASE_URL")]
    database_url: Option<String>,
    /// Tenants to create.
    #[arg(long, default_value_t = 1000)]
    tenants: usize,
    /// Verified users in each tenant.
    #[arg(long, default_value_t = 2)]
    users: usize,
    /// Further tenants created without users, which no profile touches: to measure what the
    /// number of tenants alone costs (e.g. `--tenants 10 --idle-tenants 9990`).
    #[arg(long, default_value_t = 0)]
    idle_tenants: usize,
    /// Seconds each profile runs.
    #[arg(long, default_value_t = 15)]
    secs: u64,
    /// Profiles to run, in order (health is the ceiling of me: keep them together).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "health,me,refresh,login,signup,mixed"
    )]
    profiles: Vec<Profile>,
    /// Workers per profile, overriding each profile's default.
    #[arg(long)]
    concurrency: Option<usize>,
    /// Exit 1 when any operation failed (goals are reported, never enforced: a benchmark).
    #[arg(long)]
    fail_on_errors: bool,
    /// Where report.json and report.html go.
    #[arg(long, default_value = "loadtest/reports/latest")]
    out: PathBuf,
}

fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(
        args.tenants >= 1 && args.users >= 1,
        "--tenants and --users must be at least 1"
    );
    ensure!(args.secs >= 1, "--secs must be at least 1");
    ensure!(
        args.concurrency != Some(0),
        "--concurrency must be at least 1"
    );
    let mut seen = std::collections::HashSet::new();
    ensure!(
        args.profiles.iter().all(|p| seen.insert(*p)),
        "each profile may be named once"
    );
    // As many threads as the machine has cores: the generator shares them with the server, the
    // same for every profile and its ceiling.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let backend = if args.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    eprintln!("measuring the argon2 ceiling before the server starts");
    let argon2 = ceiling::measure().await?;
    eprintln!(
        "argon2id verify {:.2} ms; ceiling {:.0}/s; all cores hashing {:.0}/s",
        argon2.verify_median_ms, argon2.formula_logins_per_sec, argon2.parallel_verifies_per_sec
    );

    let server = Server::start(&args.platform, args.database_url.as_deref()).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build()?;
    let client = Client::new_with_client(&server.url, http, Credentials::none());
    let mailbox = Arc::new(Mailbox::new(server.mail_dir()));

    eprintln!(
        "populating {} tenants × {} users (and {} idle tenants) on {backend}",
        args.tenants, args.users, args.idle_tenants
    );
    let population = populate::populate(
        &server,
        &client,
        &mailbox,
        (args.tenants, args.idle_tenants),
        args.users,
    )
    .await?;
    eprintln!(
        "populated: {:.0} tenants/s, {:.0} users/s",
        population.timing.tenants_per_sec, population.timing.users_per_sec
    );
    let mut sessions = population.sessions;
    let users = sessions
        .iter()
        .map(|s| (s.tenant.clone(), s.email.clone()))
        .collect();
    let probes = sessions.split_off(sessions.len().saturating_sub(2).max(1));
    let shared = Arc::new(Shared {
        client,
        mailbox,
        tenants: population.tenants,
        users,
        probes,
    });

    let mut profiles = Vec::new();
    for profile in &args.profiles {
        let concurrency = args.concurrency.unwrap_or(profile.default_concurrency());
        if matches!(profile, Profile::Me | Profile::Refresh | Profile::Mixed) {
            ensure!(
                sessions.len() >= concurrency,
                "{} needs a session per worker: {} sessions for {concurrency} workers; \
                 raise --tenants or --users",
                profile.name(),
                sessions.len()
            );
        }
        eprintln!(
            "running {} with {concurrency} workers for {} s",
            profile.name(),
            args.secs
        );
        let outcome = runner::run(
            *profile,
            concurrency,
            args.secs,
            &shared,
            &mut sessions,
            server.pid(),
        )
        .await?;
        eprintln!(
            "  {:.0} ops/s, {} errors, peak RSS {:.0} MB",
            outcome.stats.per_sec,
            outcome.stats.errors,
            outcome.rss_peak_bytes.unwrap_or(0) as f64 / 1e6
        );
        profiles.push(ProfileResult {
            profile: profile.name().to_owned(),
            concurrency,
            stats: outcome.stats,
            rss_peak_mb: outcome.rss_peak_bytes.map(|b| b as f64 / 1e6),
        });
    }

    let mut report = Report {
        generated_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        backend: backend.into(),
        machine: Machine::this(),
        tenants: args.tenants,
        idle_tenants: args.idle_tenants,
        users_per_tenant: args.users,
        secs_per_profile: args.secs,
        populate: population.timing,
        argon2: Some(argon2),
        profiles,
        goals: Vec::new(),
    };
    report.evaluate();
    report.write(&args.out)?;
    for g in &report.goals {
        eprintln!(
            "{} {}: {}",
            if g.met { "MET   " } else { "MISSED" },
            g.goal,
            g.measured
        );
    }
    eprintln!("report: {}", args.out.join("report.html").display());
    let errors: u64 = report.profiles.iter().map(|p| p.stats.errors).sum();
    if args.fail_on_errors && errors > 0 {
        for p in report.profiles.iter().filter(|p| p.stats.errors > 0) {
            eprintln!("{} errors: {:?}", p.profile, p.stats.error_kinds);
        }
        anyhow::bail!("{errors} operations failed");
    }
    Ok(())
}
