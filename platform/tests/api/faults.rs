//! Faults, with the platform as a separate process: PostgreSQL restarting under load, the
//! process killed (SIGKILL) or stopped (SIGTERM) under load, and the SQLite data directory
//! turning read-only or full. (The SMTP outage is in `outbox.rs`.)

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use figment::{Figment, providers::Serialized};
use platform::{
    app::AppState,
    authz::SettingsWrite,
    config::Config,
    context::{Actor, OpContext, RequestMeta},
    domain::TenantSlug,
};
use serde_json::{Value, json};

use crate::{
    accounts::PASSWORD,
    helpers::{free_port, merge_typed, platform_bin, start_smtp},
    mailbox::{code_in, decode_qp, plain_part},
};

/// A `platform serve` process (see [`harness::Platform`]) started with exactly `env` among
/// `PLATFORM_*` variables.
struct Process {
    p: harness::Platform,
}

impl Process {
    /// Starts `platform serve` with `env` (and no other `PLATFORM_*` variable); waits until live.
    async fn start(env: &[(String, String)], log: &Path) -> Self {
        Self::start_as(env, log, false).await
    }

    /// [`Process::start`], as user `nobody` when `nobody` and we are root (so that file
    /// permissions bind it).
    async fn start_as(env: &[(String, String)], log: &Path, nobody: bool) -> Self {
        let wrapper = if nobody && is_root() {
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
            ]
            .map(str::to_owned)
            .to_vec()
        } else {
            Vec::new()
        };
        let start = harness::Start {
            bin: Some(platform_bin()),
            env: env.to_vec(),
            log: Some(log.to_path_buf()),
            wrapper,
            ..Default::default()
        };
        match harness::Platform::start(start).await {
            Ok(p) => Self { p },
            Err(e) => panic!("{e:#}"),
        }
    }

    fn url(&self, path: &str) -> String {
        self.p.url(path)
    }

    fn log_text(&self) -> String {
        self.p.log_text()
    }

    fn running(&mut self) -> bool {
        self.p.running()
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        self.p.terminate().expect("SIGTERM");
    }

    /// Kills with SIGKILL and reaps the process.
    fn kill(&mut self) {
        self.p.kill();
    }

    /// Waits for the process to exit on its own; its exit status.
    async fn exited(&mut self, within: Duration) -> std::process::ExitStatus {
        self.p.exited(within).await.expect("exited")
    }
}

/// The `platform` binary with exactly `env` among `PLATFORM_*` variables, as `nobody` if asked
/// (for a run expected to fail at start, which [`harness::Platform`] does not start).
fn command_as(env: &[(String, String)], nobody: bool) -> Command {
    let mut c = if nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(platform_bin());
        c
    } else {
        Command::new(platform_bin())
    };
    for (k, _) in std::env::vars() {
        if k.starts_with("PLATFORM_") {
            c.env_remove(k);
        }
    }
    c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c
}

/// The environment of a platform on `data_dir`, listening on a free port; `extra` added.
fn platform_env(data_dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PLATFORM_LISTEN".to_owned(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "PLATFORM_DATA_DIR".to_owned(),
            data_dir.display().to_string(),
        ),
        ("PLATFORM_OUTBOX_SWEEP_SECS".to_owned(), "1".to_owned()),
        ("PLATFORM_MAIL_RETRY_BASE_MS".to_owned(), "100".to_owned()),
        // All load comes from one address: lift its platform-wide hashing budget too.
        (
            "PLATFORM_PASSWORD_CHECKS_PER_IP_PER_MINUTE".to_owned(),
            "100000".to_owned(),
        ),
        (
            "PLATFORM_PASSWORD_CHECKS_PER_IP_BURST".to_owned(),
            "100000".to_owned(),
        ),
    ];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

/// The [`Config`] the platform reads from `env`, to prepare data in-process before it starts.
fn config_of(env: &[(String, String)]) -> Config {
    let keys: Vec<(String, &str)> = env
        .iter()
        .map(|(k, v)| (k.trim_start_matches("PLATFORM_").to_lowercase(), v.as_str()))
        .collect();
    let figment = merge_typed(
        Figment::from(Serialized::defaults(Config::default())),
        keys.iter().map(|(k, v)| (k.as_str(), *v)),
    );
    Config::from_figment(figment).expect("valid configuration")
}

/// Provisions tenant `slug` in-process, with throttling raised so load is not refused.
async fn prepare_tenant(env: &[(String, String)], slug: &str) {
    let state = AppState::build(config_of(env)).await.expect("state");
    let t = state
        .provision_tenant(&TenantSlug::parse(slug).expect("slug"), None)
        .await
        .expect("tenant");
    let scope = state.tenants.scope(&t);
    let generous = json!({ "per_minute": 10000, "burst": 10000 });
    let patch = json!({ "rate_limits": {
        "register_ip": generous, "login_ip": generous, "login_account": generous
    }});
    let ctx = OpContext::new(scope, t.into(), Actor::System, RequestMeta::default());
    let granted = platform::authz::grant_platform::<SettingsWrite>(&ctx)
        .await
        .expect("the platform may");
    let patch = <platform::settings::patch::SettingsPatch as poem_openapi::types::ParseFromJSON>::parse_from_json(Some(patch))
        .expect("a settings patch");
    platform::configure::update::update(&granted, &state.mailer, &patch)
        .await
        .expect("raise throttling");
    state.store.close().await;
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A throwaway PostgreSQL server of our own, to stop and start at will.
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn bindir() -> PathBuf {
        if let Ok(b) = std::env::var("PLATFORM_TEST_PG_BIN") {
            return PathBuf::from(b);
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .collect();
        found.sort();
        found
            .pop()
            .expect("PostgreSQL server binaries (scripts/test.sh installs them)")
    }

    /// A server binary, run as the data directory's owner (`postgres` when we are root).
    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool);
        let mut c = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        c.args(args).stdout(Stdio::null());
        c
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let status = self
            .command(tool, args)
            .status()
            .unwrap_or_else(|e| panic!("running {tool}: {e}"));
        assert!(status.success(), "{tool} {args:?} failed");
    }

    fn start_new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(ok.success());
        }
        let pg = Self {
            bin: Self::bindir(),
            port: free_port(),
            dir,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &["-D", &data, "-U", "platform", "--auth=trust", "--no-sync"],
        );
        pg.start();
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn start(&self) {
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-w", "-o", &opts, "start"],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://platform@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "stop"])
            .stderr(Stdio::null())
            .status();
    }
}

/// Whether the tests run as root (asked once).
fn is_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    })
}

/// Status, the problem's `code` (empty if none), and how long the request took.
type Outcome = (u16, String, Duration);

/// POSTs `body` to `url`: the answer's status, problem code and how long it took.
async fn send_json(c: &reqwest::Client, url: &str, body: Value) -> reqwest::Result<Outcome> {
    let t = Instant::now();
    let r = c.post(url).json(&body).send().await?;
    let st = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    let code = body["code"].as_str().unwrap_or("").to_owned();
    Ok((st, code, t.elapsed()))
}

/// Requests that need the database (refreshing an unknown token: a lookup, then `401`), sent
/// by `workers` loops until `stop` is set; every outcome is kept.
fn refresh_load(
    p: &Process,
    workers: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Arc<Mutex<Vec<Outcome>>>, Vec<tokio::task::JoinHandle<()>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let url = p.url("/v1/tenants/acme/auth/token/refresh");
    let handles = (0..workers)
        .map(|_| {
            let (seen, url, stop) = (seen.clone(), url.clone(), stop.clone());
            tokio::spawn(async move {
                let c = client();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = Instant::now();
                    let body = json!({ "refresh_token": "not-a-token-of-ours" });
                    let outcome = send_json(&c, &url, body)
                        .await
                        .unwrap_or_else(|e| (0, e.to_string(), t.elapsed()));
                    seen.lock().expect("outcomes").push(outcome);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    (seen, handles)
}

async fn wait_ready(p: &Process, want: u16, within: Duration) -> Duration {
    let c = client();
    let start = Instant::now();
    loop {
        let st = c
            .get(p.url("/health/ready"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if st == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "/health/ready answered {st}, not {want}, for {within:?}:\n{}",
            p.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarting_under_load_fails_fast_and_recovers_without_a_restart() {
    if !crate::helpers::postgres_or_skip() {
        return;
    }
    let pg = OwnPostgres::start_new();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = pg.url();
    let env = platform_env(
        &dir.path().join("data"),
        &[("PLATFORM_DATABASE_URL", url.as_str())],
    );
    prepare_tenant(&env, "acme").await;
    let mut p = Process::start(&env, &dir.path().join("platform.log")).await;
    wait_ready(&p, 200, Duration::from_secs(5)).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (seen, workers) = refresh_load(&p, 4, stop.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    pg.stop();
    let down_at = seen.lock().expect("outcomes").len();
    wait_ready(&p, 503, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let outage: Vec<Outcome> = seen.lock().expect("outcomes")[down_at..].to_vec();
    pg.start();
    let took = wait_ready(&p, 200, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let all = seen.lock().expect("outcomes").clone();

    assert!(p.running(), "the platform kept running:\n{}", p.log_text());
    let by_status: BTreeMap<u16, usize> = all.iter().fold(BTreeMap::new(), |mut m, o| {
        *m.entry(o.0).or_default() += 1;
        m
    });
    let errors: Vec<String> = p
        .log_text()
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
        .map(str::to_owned)
        .collect();
    assert!(
        all.iter().all(|o| o.0 == 401 || o.0 == 503),
        "only 401 (up) and 503 (down) answers: {by_status:?}\n{}",
        errors.join("\n")
    );
    assert!(
        outage.iter().any(|o| o.0 == 503),
        "requests failed while the database was down: {by_status:?}"
    );
    for o in all.iter().filter(|o| o.0 == 503) {
        assert_eq!(o.1, "service_unavailable", "a 503 problem");
        assert!(
            o.2 < Duration::from_secs(3),
            "a 503 came fast, not after {:?}",
            o.2
        );
    }
    assert_eq!(
        all.last().map(|o| o.0),
        Some(401),
        "serving again: {by_status:?}"
    );
    assert!(took < Duration::from_secs(20));
    let log = p.log_text();
    assert!(!log.contains("panicked"), "no panic:\n{log}");
    p.terminate();
    assert!(p.exited(Duration::from_secs(30)).await.success());
}

/// Registers addresses `prefix{n}@acme.test` from `workers` loops until stopped; the accepted.
fn register_load(
    p: &Process,
    workers: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Arc<Mutex<Vec<String>>>, Vec<tokio::task::JoinHandle<()>>) {
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let url = p.url("/v1/tenants/acme/auth/register");
    let handles = (0..workers)
        .map(|w| {
            let (accepted, url, stop) = (accepted.clone(), url.clone(), stop.clone());
            tokio::spawn(async move {
                let c = client();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let email = format!("user{w}x{n}@acme.test");
                    n += 1;
                    let r = c
                        .post(&url)
                        .json(&json!({ "email": email, "password": PASSWORD }))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().as_u16() == 202 => {
                            accepted.lock().expect("accepted").push(email);
                        }
                        // The process was killed mid-request: the outcome is unknown.
                        Err(_) => break,
                        Ok(r) => panic!("registration answered {}", r.status()),
                    }
                }
            })
        })
        .collect();
    (accepted, handles)
}

/// The recipient of a raw message (its `To:` header).
fn recipient(raw: &str) -> String {
    raw.lines()
        .find_map(|l| l.strip_prefix("To: "))
        .unwrap_or_default()
        .trim()
        .trim_matches(['<', '>'])
        .to_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_under_load_the_platform_restarts_whole_and_its_outbox_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The mail server is down while the platform runs: everything stays in the outbox.
    let smtp_port = free_port();
    let smtp = format!("smtp://127.0.0.1:{smtp_port}");
    // A message claimed when the process dies is retried once its lease ends: short here.
    let env = platform_env(
        &dir.path().join("data"),
        &[
            ("PLATFORM_SMTP_URL", smtp.as_str()),
            ("PLATFORM_MAIL_CLAIM_LEASE_SECS", "3"),
        ],
    );
    prepare_tenant(&env, "acme").await;
    let log = dir.path().join("platform.log");
    let mut p = Process::start(&env, &log).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (accepted, workers) = register_load(&p, 6, stop.clone());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    p.kill();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let accepted: BTreeSet<String> = accepted.lock().expect("accepted").iter().cloned().collect();
    assert!(
        accepted.len() >= 3,
        "some registrations went through: {accepted:?}"
    );

    // Back up, with the mail server up too: every accepted registration gets its code, once.
    let inbox = start_smtp(smtp_port);
    let p = Process::start(&env, &log).await;
    let start = Instant::now();
    let delivered = loop {
        let got: Vec<String> = inbox.messages();
        let to: BTreeSet<String> = got.iter().map(|m| recipient(m)).collect();
        if accepted.is_subset(&to) {
            tokio::time::sleep(Duration::from_secs(2)).await;
            break inbox.messages();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "mail of accepted registrations still missing: {:?}",
            accepted.difference(&to).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut per_recipient: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &delivered {
        per_recipient
            .entry(recipient(m))
            .or_default()
            .push(m.clone());
    }
    for (to, msgs) in &per_recipient {
        assert_eq!(msgs.len(), 1, "{to} got {} messages", msgs.len());
    }
    // No half-made account: each message's code verifies an account that exists, so the
    // account and its mail were written together (a registration cut short left neither).
    let c = client();
    for (to, msgs) in &per_recipient {
        let text = decode_qp(&msgs[0]);
        let code = plain_part(&text)
            .and_then(code_in)
            .unwrap_or_else(|| panic!("a code for {to}"));
        let r = c
            .post(p.url("/v1/tenants/acme/auth/email/verify"))
            .json(&json!({ "email": to, "code": code }))
            .send()
            .await
            .expect("verify");
        assert_eq!(
            r.status().as_u16(),
            200,
            "{to}'s account exists and verifies"
        );
    }
    assert!(!p.log_text().contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_lets_in_flight_requests_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = platform_env(&dir.path().join("data"), &[]);
    prepare_tenant(&env, "acme").await;
    let mut p = Process::start(&env, &dir.path().join("platform.log")).await;
    // Password checks queue on the hashing pool: a burst of them takes a while to answer.
    let url = p.url("/v1/tenants/acme/auth/login");
    let requests: Vec<_> = (0..24)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                client()
                    .post(&url)
                    .json(&json!({ "email": format!("nobody{i}@acme.test"), "password": PASSWORD }))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    p.terminate();
    let mut answers = Vec::new();
    for r in requests {
        answers.push(r.await.expect("request task"));
    }
    assert!(
        answers.iter().all(|a| matches!(a, Ok(401))),
        "every request sent before SIGTERM was answered: {answers:?}"
    );
    let status = p.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "a clean exit: {status}\n{}", p.log_text());
    assert!(p.log_text().contains("shutting down"));
}

/// A small tmpfs mounted over a directory for one test (needs root, as CI has), unmounted on
/// drop: a disk that fills up.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Self {
        std::fs::create_dir_all(at).expect("mount point");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .expect("mount");
        assert!(
            ok.success(),
            "this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN)"
        );
        Self(at.to_path_buf())
    }

    /// Fills the disk with one file; returns its path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn register(p: &Process, tenant: &str, email: &str) -> Outcome {
    send_json(
        &client(),
        &p.url(&format!("/v1/tenants/{tenant}/auth/register")),
        json!({ "email": email, "password": PASSWORD }),
    )
    .await
    .expect("an answer")
}

/// Registers `email`, retrying for a few seconds until it is accepted.
async fn register_eventually(p: &Process, tenant: &str, email: &str) {
    let start = Instant::now();
    loop {
        let (st, code, _) = register(p, tenant, email).await;
        if st == 202 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{email}: still {st} {code} once the disk is back:\n{}",
            p.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `PRAGMA integrity_check` on every database file under `data`.
async fn assert_intact(data: &Path) {
    use sea_orm::{ConnectionTrait, Statement};
    let mut files = vec![data.join("control.db")];
    for e in std::fs::read_dir(data.join("tenants"))
        .expect("tenants dir")
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "db") {
            files.push(e.path());
        }
    }
    assert!(files.len() >= 2);
    for f in files {
        let db = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", f.display()))
            .await
            .expect("open");
        let row = db
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .expect("integrity check")
            .expect("a row");
        let verdict: String = row.try_get_by_index(0).expect("text");
        assert_eq!(verdict, "ok", "{}", f.display());
        let _ = db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_disk_is_a_clear_503_and_corrupts_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let disk = SmallDisk::mount(&data, "16m");
    let mail = dir.path().join("mail").display().to_string();
    let env = platform_env(&data, &[("PLATFORM_MAIL_DIR", mail.as_str())]);
    prepare_tenant(&env, "acme").await;
    let mut p = Process::start(&env, &dir.path().join("platform.log")).await;
    assert_eq!(register(&p, "acme", "before@acme.test").await.0, 202);

    let filler = disk.fill();
    let (st, code, took) = register(&p, "acme", "full@acme.test").await;
    assert_eq!((st, code.as_str()), (503, "service_unavailable"));
    assert!(
        took < Duration::from_secs(3),
        "failed fast, not after {took:?}"
    );
    assert!(p.log_text().contains("full"), "the log says why");
    std::fs::remove_file(filler).expect("free the disk");
    register_eventually(&p, "acme", "full@acme.test").await;

    assert!(p.running() && !p.log_text().contains("panicked"));
    p.terminate();
    assert!(p.exited(Duration::from_secs(30)).await.success());
    assert_intact(&data).await;
}

/// `chmod -R` of a tree (`a-w` or `u+w`).
fn chmod(mode: &str, path: &Path) {
    let ok = Command::new("chmod")
        .args(["-R", mode])
        .arg(path)
        .status()
        .expect("chmod");
    assert!(ok.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_sqlite_data_dir_is_a_clear_error_and_corrupts_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mail = dir.path().join("mail").display().to_string();
    let env = platform_env(&data, &[("PLATFORM_MAIL_DIR", mail.as_str())]);
    prepare_tenant(&env, "acme").await;
    if is_root() {
        // The platform runs as `nobody` here: root ignores file permissions.
        let ok = Command::new("chown")
            .args(["-R", "nobody"])
            .arg(dir.path())
            .status()
            .expect("chown");
        assert!(ok.success());
    }
    let log = dir.path().join("platform.log");
    let mut p = Process::start_as(&env, &log, true).await;
    assert_eq!(register(&p, "acme", "one@acme.test").await.0, 202);
    p.terminate();
    assert!(p.exited(Duration::from_secs(30)).await.success());
    let before = std::fs::read(data.join("control.db")).expect("control.db");

    // Starting on a read-only data dir is refused with a clear message, and changes nothing.
    chmod("a-w", &data);
    let out = command_as(&env, is_root())
        .arg("serve")
        .output()
        .expect("run platform");
    chmod("u+w", &data);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("not writable"), "a clear error: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(data.join("control.db")).expect("control.db"),
        before
    );
    assert_intact(&data).await;
    // Writable again: it serves, with the data it had.
    let p = Process::start_as(&env, &log, true).await;
    assert_eq!(register(&p, "acme", "two@acme.test").await.0, 202);
}
