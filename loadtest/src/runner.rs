//! Runs one profile: closed-loop workers for a fixed time, each with its own sessions and seeded
//! random numbers, while the server's resident memory is sampled; then merges what they saw.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use rand::{SeedableRng, rngs::StdRng};

use crate::{
    populate::Session,
    profiles::{PROBE_INTERVAL, Profile, Shared, op, step},
    stats::{Recorder, RunStats},
};

/// A profile's result, with the server's peak resident memory meanwhile.
pub struct Outcome {
    pub stats: RunStats,
    pub rss_peak_bytes: Option<u64>,
}

/// Runs `profile` for `secs` with `concurrency` workers. The sessions are dealt out to the
/// workers (rotations change them) and handed back afterwards.
pub async fn run(
    profile: Profile,
    concurrency: usize,
    secs: u64,
    shared: &Arc<Shared>,
    sessions: &mut Vec<Session>,
    server_pid: u32,
) -> Result<Outcome> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let rss_peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let rss_peak = rss_peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(rss) = crate::server::rss_of(server_pid) {
                    rss_peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };

    let mut shares: Vec<Vec<Session>> = (0..concurrency).map(|_| Vec::new()).collect();
    for (i, s) in sessions.drain(..).enumerate() {
        shares[i % concurrency].push(s);
    }
    let mut workers = Vec::new();
    for (worker, mut mine) in shares.into_iter().enumerate() {
        let shared = shared.clone();
        workers.push(tokio::spawn(async move {
            let mut rec = Recorder::new(start);
            let mut rng = StdRng::seed_from_u64(worker as u64);
            let mut seq = 0;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let (name, outcome) =
                    step(profile, &shared, &mut mine, &mut rng, &mut seq, worker).await;
                rec.record(name, t0.elapsed(), outcome);
            }
            (rec, mine)
        }));
    }
    // During a login flood, paced readers measure what signed-in users feel meanwhile.
    let mut probes = Vec::new();
    if profile == Profile::Login {
        for i in 0..2 {
            let shared = shared.clone();
            let session = shared.probes.get(i).cloned();
            probes.push(tokio::spawn(async move {
                let mut rec = Recorder::new(start);
                let mut tick = tokio::time::interval(PROBE_INTERVAL);
                while Instant::now() < deadline {
                    // Latency counts from when the read was due, not from when it could be sent:
                    // a stalled prober must not hide the stall (coordinated omission).
                    let t0 = tick.tick().await.into_std();
                    let outcome = match &session {
                        Some(s) => op::me(&shared.client, s).await,
                        None => Err("no-session".into()),
                    };
                    rec.record("me_during_login", t0.elapsed(), outcome);
                }
                rec
            }));
        }
    }

    let mut total = Recorder::new(start);
    for w in workers {
        let (rec, mine) = w.await.context("a worker panicked")?;
        total.merge(rec);
        sessions.extend(mine);
    }
    for p in probes {
        total.merge(p.await.context("a probe panicked")?);
    }
    sampler.abort();
    let elapsed = start.elapsed().as_secs_f64();
    let peak = rss_peak.load(Ordering::Relaxed);
    Ok(Outcome {
        stats: total.summary(elapsed),
        rss_peak_bytes: (peak > 0).then_some(peak),
    })
}
