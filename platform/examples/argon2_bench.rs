//! Benchmark (not a test): how long one argon2id verification takes here with the platform's
//! parameters (OWASP: m=19456 KiB, t=2, p=1), and the login ceiling that implies.
//!
//!     cargo run --release -p platform --example argon2_bench

use std::time::{Duration, Instant};

use platform::{crypto::passwords::PasswordHasher, domain::Password};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let hasher = PasswordHasher::new(1, 16);
    let password = Password::parse("Correct-Horse-Battery-9")?;
    let stored = hasher.hash(&password).await?;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..60 {
        let t0 = Instant::now();
        let v = hasher.verify(&password, Some(&stored)).await?;
        times.push(t0.elapsed());
        anyhow::ensure!(v.ok, "verification failed");
    }
    times.sort();
    let median = times[times.len() / 2];
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "argon2id verify: median {:.2} ms (min {:.2}, max {:.2}) over {} runs; ceiling {} cores / median = {:.0} logins/s",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len(),
        cores,
        cores as f64 / median.as_secs_f64()
    );
    // The same verifications with every core hashing at once (what a login flood does): the
    // measured parallel throughput, which memory bandwidth keeps below cores / median.
    let pool = PasswordHasher::new(cores, 1024);
    let n = 40 * cores;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (pool, password, stored) = (pool.clone(), password.clone(), stored.clone());
        tasks.push(tokio::spawn(async move {
            pool.verify(&password, Some(&stored)).await
        }));
    }
    for t in tasks {
        anyhow::ensure!(t.await??.ok, "verification failed");
    }
    let rate = n as f64 / t0.elapsed().as_secs_f64();
    println!(
        "parallel: {n} verifications on {cores} threads at {rate:.0}/s (measured hashing ceiling)"
    );
    Ok(())
}
