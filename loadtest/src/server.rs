//! The platform under test: a `platform serve` started from a binary on a fresh data directory
//! (SQLite) or an empty PostgreSQL database, its CLI, and its resident memory.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context, Result, bail, ensure};
use platform_client::{Client, Credentials};

/// A running server, killed when dropped.
pub struct Server {
    bin: PathBuf,
    database_url: Option<String>,
    dir: tempfile::TempDir,
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `bin serve` on a free port and waits until `/health/ready` answers.
    pub async fn start(bin: &Path, database_url: Option<&str>) -> Result<Self> {
        ensure!(
            bin.exists(),
            "{} not found: build it with `cargo build --release -p platform`",
            bin.display()
        );
        let dir = tempfile::tempdir().context("a temporary data directory")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("a free port")?
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let mut cmd = base_command(bin, dir.path(), database_url);
        let log = std::fs::File::create(dir.path().join("serve.log"))?;
        let child = cmd
            .arg("serve")
            .env("PLATFORM_LISTEN", format!("127.0.0.1:{port}"))
            .env("PLATFORM_PUBLIC_URL", &url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let server = Self {
            bin: bin.to_owned(),
            database_url: database_url.map(str::to_owned),
            dir,
            child,
            url,
        };
        let client = Client::new(&server.url, Credentials::none());
        for _ in 0..300 {
            if client.health_ready().await.is_ok() {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the platform did not become ready; its log: {}",
            server.dir.path().join("serve.log").display()
        )
    }

    /// Where the server writes mail (`.eml` files).
    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Runs a `platform` CLI command against the same data and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        let out = base_command(&self.bin, self.dir.path(), self.database_url.as_deref())
            .args(args)
            .output()
            .with_context(|| format!("running platform {}", args.join(" ")))?;
        ensure!(
            out.status.success(),
            "platform {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8(out.stdout)?)
    }
}

/// `VmRSS` of a process, in bytes.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn base_command(bin: &Path, dir: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(bin);
    // The server refuses unknown PLATFORM_* settings, and tuning ones would change the
    // benchmark: it gets only what is set here.
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("PLATFORM_") {
            c.env_remove(var);
        }
    }
    c.env("PLATFORM_DATA_DIR", dir.join("data"))
        .env("PLATFORM_MAIL_DIR", dir.join("mail"))
        // Every simulated client comes from this one address: like the tenants' per-IP
        // limits (raised when they are populated), its platform-wide hashing budget is lifted.
        .env("PLATFORM_PASSWORD_CHECKS_PER_IP_PER_MINUTE", "1000000")
        .env("PLATFORM_PASSWORD_CHECKS_PER_IP_BURST", "1000000");
    if let Some(url) = database_url {
        c.env("PLATFORM_DATABASE_URL", url);
    }
    c
}
