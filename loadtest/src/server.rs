//! The platform under test: a `platform serve` started from a binary on a fresh data directory
//! (SQLite) or an empty PostgreSQL database, its CLI, and its resident memory.

use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};

/// A running server (see [`harness::Platform`]), killed when dropped.
pub struct Server {
    platform: harness::Platform,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Server {
    /// Starts `bin serve` on a free port and waits until `/health/ready` answers. It gets only
    /// the settings set here (not the caller's `PLATFORM_*` variables, which would change the
    /// benchmark).
    pub async fn start(bin: &Path, database_url: Option<&str>) -> Result<Self> {
        ensure!(
            bin.exists(),
            "{} not found: build it with `cargo build --release -p platform`",
            bin.display()
        );
        let platform = harness::Platform::start(harness::Start {
            bin: Some(bin.to_owned()),
            database_url: database_url.map(str::to_owned),
            // Every simulated client comes from this one address: like the tenants' per-IP
            // limits (raised when they are populated), its platform-wide hashing budget is
            // lifted.
            env: vec![
                (
                    "PLATFORM_PASSWORD_CHECKS_PER_IP_PER_MINUTE".into(),
                    "1000000".into(),
                ),
                (
                    "PLATFORM_PASSWORD_CHECKS_PER_IP_BURST".into(),
                    "1000000".into(),
                ),
                ("RUST_LOG".into(), "warn".into()),
            ],
            ready: true,
            ..Default::default()
        })
        .await?;
        let url = platform.url.clone();
        Ok(Self { platform, url })
    }

    /// Where the server writes mail (`.eml` files).
    pub fn mail_dir(&self) -> PathBuf {
        self.platform.mail_dir()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.platform.pid()
    }

    /// Runs a `platform` CLI command against the same data and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        self.platform.cli(args)
    }
}

/// `VmRSS` of a process, in bytes.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
