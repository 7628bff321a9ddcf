//! The login ceiling, measured in the same run with the platform's own password hasher (argon2id,
//! the same parameters as the server): one verification's time on a quiet machine, and the rate
//! with every core verifying at once.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use platform::{crypto::passwords::PasswordHasher, domain::Password};
use serde::Serialize;

/// The hashing figures a login rate is compared with.
#[derive(Clone, Debug, Serialize)]
pub struct Argon2Ceiling {
    pub cores: usize,
    /// Median of one verification, one at a time.
    pub verify_median_ms: f64,
    /// The ceiling: cores ÷ one verification's time.
    pub formula_logins_per_sec: f64,
    /// Verifications per second with every core verifying at once (memory bandwidth is shared).
    pub parallel_verifies_per_sec: f64,
}

pub async fn measure() -> Result<Argon2Ceiling> {
    let hasher = PasswordHasher::new(1, 16);
    let password = Password::parse(crate::populate::PASSWORD)?;
    let stored = hasher.hash(&password).await?;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..40 {
        let t0 = Instant::now();
        let v = hasher.verify(&password, Some(&stored)).await?;
        times.push(t0.elapsed());
        ensure!(v.ok, "the ceiling's own verification failed");
    }
    times.sort();
    let median = times[times.len() / 2];
    let cores = std::thread::available_parallelism().map_or(1, usize::from);

    let n = 30 * cores;
    let pool = PasswordHasher::new(cores, n);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (pool, password, stored) = (pool.clone(), password.clone(), stored.clone());
        tasks.push(tokio::spawn(async move {
            pool.verify(&password, Some(&stored)).await
        }));
    }
    for t in tasks {
        ensure!(t.await??.ok, "the ceiling's own verification failed");
    }
    Ok(Argon2Ceiling {
        cores,
        verify_median_ms: median.as_secs_f64() * 1e3,
        formula_logins_per_sec: cores as f64 / median.as_secs_f64(),
        parallel_verifies_per_sec: n as f64 / t0.elapsed().as_secs_f64(),
    })
}
