//! A `platform` process under test.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail, ensure};

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The `platform` binary: `$PLATFORM_BIN` when set, else the one built into the same target
/// directory as the running executable (`target/<profile>/platform`, beside `deps/`).
pub fn platform_bin() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("PLATFORM_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe().context("the running executable")?;
    let mut dir = exe.parent();
    while let Some(d) = dir {
        let bin = d.join("platform");
        if bin.is_file() {
            return Ok(bin);
        }
        dir = d
            .parent()
            .filter(|p| p.join("deps").is_dir() || p.ends_with("target"));
    }
    bail!(
        "no platform binary next to {}: build it first (cargo build -p platform), or set PLATFORM_BIN",
        exe.display()
    )
}

/// How to start a [`Platform`].
#[derive(Debug, Default)]
pub struct Start {
    /// The binary (default: [`platform_bin`]).
    pub bin: Option<PathBuf>,
    /// A PostgreSQL URL (default: SQLite files in the data directory).
    pub database_url: Option<String>,
    /// More `PLATFORM_*` settings for every command; they win over the harness's own
    /// (`PLATFORM_LISTEN` included: the server then listens where it says).
    pub env: Vec<(String, String)>,
    /// Wait for `/health/ready` (the default, `false`, waits for `/health/live`).
    pub ready: bool,
    /// Append the server's standard error to this file (default: `serve.log` in its directory).
    pub log: Option<PathBuf>,
    /// Run the server through this command (e.g. `setpriv --reuid=65534 … --`).
    pub wrapper: Vec<String>,
}

/// A running `platform serve` with its own data directory, mail directory and port; killed
/// (and waited for) when dropped.
#[derive(Debug)]
pub struct Platform {
    bin: PathBuf,
    dir: tempfile::TempDir,
    database_url: Option<String>,
    env: Vec<(String, String)>,
    child: Child,
    log: PathBuf,
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Platform {
    /// Starts `platform serve` as `start` says, with `before` run first against the same data
    /// (e.g. `tenant create acme`); waits until it answers.
    pub async fn start_after(start: Start, before: &[&[&str]]) -> Result<Self> {
        let bin = match start.bin {
            Some(b) => b,
            None => platform_bin()?,
        };
        ensure!(bin.is_file(), "{} not found", bin.display());
        let dir = tempfile::tempdir().context("a temporary data directory")?;
        for args in before {
            run(
                &bin,
                dir.path(),
                start.database_url.as_deref(),
                &start.env,
                args,
            )?;
        }
        let listen = start
            .env
            .iter()
            .find(|(k, _)| k == "PLATFORM_LISTEN")
            .map_or_else(|| format!("127.0.0.1:{}", free_port()), |(_, v)| v.clone());
        let url = format!("http://{listen}");
        let log_path = start.log.unwrap_or_else(|| dir.path().join("serve.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let mut cmd = match start.wrapper.split_first() {
            None => Command::new(&bin),
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(&bin);
                c
            }
        };
        let child = with_settings(
            &mut cmd,
            dir.path(),
            start.database_url.as_deref(),
            &[
                ("PLATFORM_LISTEN".to_owned(), listen.clone()),
                ("PLATFORM_PUBLIC_URL".to_owned(), url.clone()),
            ],
        )
        .envs(start.env.iter().map(|(k, v)| (k, v)))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
        // From here on, Drop kills and waits for the server whatever happens.
        let mut platform = Self {
            bin,
            dir,
            database_url: start.database_url,
            env: start.env,
            child,
            url,
            log: log_path,
        };
        let path = if start.ready {
            "/health/ready"
        } else {
            "/health/live"
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if get_ok(&listen, path).await {
                return Ok(platform);
            }
            if let Ok(Some(status)) = platform.child.try_wait() {
                bail!(
                    "the platform exited at start ({status}):\n{}",
                    platform.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the platform did not answer {path} within 30 s:\n{}",
            platform.log_text()
        )
    }

    /// Starts `platform serve` as `start` says.
    pub async fn start(start: Start) -> Result<Self> {
        Self::start_after(start, &[]).await
    }

    /// The data directory (SQLite files, the master key).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Where the server writes mail (`.eml` files), for [`crate::mail::Mailbox`].
    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// The server's standard error, so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `path` on the server, e.g. `url("/health/live")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Whether the server is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM (the server then shuts down gracefully).
    pub fn terminate(&self) -> Result<()> {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("kill -TERM")?;
        ensure!(ok.success(), "kill -TERM failed");
        Ok(())
    }

    /// Kills the server with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `within` for the server to exit on its own; its exit status.
    pub async fn exited(&mut self, within: Duration) -> Result<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            ensure!(
                Instant::now() < deadline,
                "the platform did not exit in {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A `platform` command against the same data, database and settings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = command(
            &self.bin,
            self.dir.path(),
            self.database_url.as_deref(),
            &self.env,
        );
        c.args(args);
        c
    }

    /// Runs `platform <args>` against the same data; its standard output, or an error with its
    /// standard error.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        run(
            &self.bin,
            self.dir.path(),
            self.database_url.as_deref(),
            &self.env,
            args,
        )
    }
}

/// `bin` with only the settings given here: the process's own `PLATFORM_*` variables (a
/// developer's configuration, a script's `PLATFORM_BIN`) never leak into the platform under test.
fn command(
    bin: &Path,
    dir: &Path,
    database_url: Option<&str>,
    env: &[(String, String)],
) -> Command {
    let mut c = Command::new(bin);
    with_settings(&mut c, dir, database_url, env);
    c
}

/// Clears `c`'s inherited `PLATFORM_*` variables and sets the data and mail directories under
/// `dir`, the database and `env` (in that order, so `env` wins).
fn with_settings<'c>(
    c: &'c mut Command,
    dir: &Path,
    database_url: Option<&str>,
    env: &[(String, String)],
) -> &'c mut Command {
    let inherited: Vec<OsString> = std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| k.to_string_lossy().starts_with("PLATFORM_"))
        .collect();
    for var in inherited {
        c.env_remove(var);
    }
    // A data directory given in `env` keeps the platform's own default mail directory (under
    // it); otherwise both live in `dir`.
    if !env.iter().any(|(k, _)| k == "PLATFORM_DATA_DIR") {
        c.env("PLATFORM_DATA_DIR", dir.join("data"))
            .env("PLATFORM_MAIL_DIR", dir.join("mail"));
    }
    if let Some(url) = database_url {
        c.env("PLATFORM_DATABASE_URL", url);
    }
    c.envs(env.iter().map(|(k, v)| (k, v)))
}

fn run(
    bin: &Path,
    dir: &Path,
    database_url: Option<&str>,
    env: &[(String, String)],
    args: &[&str],
) -> Result<String> {
    let out = command(bin, dir, database_url, env)
        .args(args)
        .output()
        .with_context(|| format!("running platform {}", args.join(" ")))?;
    ensure!(
        out.status.success(),
        "platform {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `GET <path>` on `addr` (`host:port`) answers 2xx (plain HTTP/1.1, no client crate).
async fn get_ok(addr: &str, path: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(Ok(mut s)) =
        tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr)).await
    else {
        return false;
    };
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    matches!(
        tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut head)).await,
        Ok(Ok(_))
    ) && head.starts_with(b"HTTP/1.1 2")
}
