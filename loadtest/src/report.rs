//! The report: every figure with the ceiling it is compared to and the goals, written
//! as JSON (for machines) and as an HTML page with charts (for people).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::{ceiling::Argon2Ceiling, populate::PopulateTiming, stats::RunStats};

#[derive(Debug, Serialize)]
pub struct Report {
    pub generated_at: String,
    pub backend: String,
    pub machine: Machine,
    pub tenants: usize,
    /// Tenants without users, which no profile touches.
    pub idle_tenants: usize,
    pub users_per_tenant: usize,
    pub secs_per_profile: u64,
    pub populate: PopulateTiming,
    pub argon2: Option<Argon2Ceiling>,
    pub profiles: Vec<ProfileResult>,
    pub goals: Vec<Goal>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub memory_gib: f64,
    pub kernel: String,
}

impl Machine {
    pub fn this() -> Self {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_else(|| "unknown".into());
        let mem_kib: f64 = read("/proc/meminfo")
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu,
            memory_gib: (mem_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProfileResult {
    pub profile: String,
    pub concurrency: usize,
    pub stats: RunStats,
    pub rss_peak_mb: Option<f64>,
}

/// One of the goals: what was measured against what, and whether it was met.
#[derive(Debug, Serialize)]
pub struct Goal {
    pub goal: String,
    pub measured: String,
    pub met: bool,
}

impl Report {
    fn profile(&self, name: &str) -> Option<&ProfileResult> {
        self.profiles.iter().find(|p| p.profile == name)
    }

    /// Evaluates the goals that the profiles run make measurable.
    pub fn evaluate(&mut self) {
        let mut goals = Vec::new();
        let rate = |p: &ProfileResult, op: &str| p.stats.op(op).map_or(0.0, |o| o.per_sec);
        if let (Some(login), Some(a)) = (self.profile("login"), &self.argon2) {
            let r = rate(login, "login");
            let ratio = r / a.formula_logins_per_sec;
            goals.push(Goal {
                goal: "password logins ≥ 0.9 × the argon2 ceiling (cores ÷ verify time)".into(),
                measured: format!(
                    "{r:.1}/s = {ratio:.2} × {:.0}/s ({} cores ÷ {:.2} ms); {:.2} × the measured \
                     all-cores hashing rate of {:.0}/s",
                    a.formula_logins_per_sec,
                    a.cores,
                    a.verify_median_ms,
                    r / a.parallel_verifies_per_sec,
                    a.parallel_verifies_per_sec
                ),
                met: ratio >= 0.9,
            });
            if let Some(probe) = login.stats.op("me_during_login") {
                goals.push(Goal {
                    goal: "GET /me p99 ≤ 10 ms while a login flood saturates the hashing pool"
                        .into(),
                    measured: format!(
                        "p50 {:.2} ms, p99 {:.2} ms over {} paced reads",
                        probe.p50_ms, probe.p99_ms, probe.count
                    ),
                    met: probe.p99_ms <= 10.0,
                });
            }
        }
        if let (Some(me), Some(health)) = (self.profile("me"), self.profile("health")) {
            let (m, h) = (rate(me, "me"), rate(health, "health"));
            goals.push(Goal {
                goal: "GET /me ≥ 0.5 × GET /health/live throughput".into(),
                measured: format!("{m:.0} vs {h:.0} req/s = {:.2} ×", m / h),
                met: h > 0.0 && m / h >= 0.5,
            });
        }
        if let Some(refresh) = self.profile("refresh") {
            let target = if self.backend == "postgres" {
                1500.0
            } else {
                1000.0
            };
            let r = rate(refresh, "refresh");
            goals.push(Goal {
                goal: format!("refresh rotations ≥ {target:.0}/s on {}", self.backend),
                measured: format!("{r:.0}/s = {:.2} × the goal", r / target),
                met: r >= target,
            });
        }
        if let Some(mixed) = self.profile("mixed") {
            let rss = mixed.rss_peak_mb.unwrap_or(f64::INFINITY);
            goals.push(Goal {
                goal: format!(
                    "mixed over {} tenants: 0 errors, server RSS ≤ 200 MB",
                    self.tenants
                ),
                measured: format!(
                    "{} errors in {} operations; peak RSS {rss:.0} MB",
                    mixed.stats.errors, mixed.stats.total
                ),
                met: mixed.stats.errors == 0 && rss <= 200.0,
            });
        }
        self.goals = goals;
    }

    /// Writes `report.json` and `report.html` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(self)?)?;
        std::fs::write(dir.join("report.html"), crate::charts::html(self)?)?;
        Ok(())
    }
}
