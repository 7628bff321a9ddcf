//! `spawn_app()` and the other test fixtures: a fresh data dir, a fresh PostgreSQL database,
//! a server bound to port 0, and a real SMTP server (mailin-embedded) when a test wants one.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use figment::{Figment, providers::Serialized};
use platform::{app::AppState, config::Config, domain::TenantSlug, server, tenants::Tenant};
use poem::listener::{Acceptor, Listener, TcpListener};
use sea_orm::ConnectionTrait;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Declares `sqlite_<name>` and `postgres_<name>` tests that call `name(Db)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            $crate::paste_test!($name);
        )*
    };
}

/// Helper of [`both_backends`]: one module per test holding its two variants.
#[macro_export]
macro_rules! paste_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_or_skip() {
                    super::$name($crate::helpers::Db::Postgres).await;
                }
            }
        }
    };
}

/// Whether the PostgreSQL variants run: `PLATFORM_TEST_DATABASE_URL` names a server (as
/// `scripts/test.sh` sets it). Without one, a plain `cargo test` skips them, saying so once;
/// under CI (`CI` set) a missing server is a failure, never a skip.
pub fn postgres_or_skip() -> bool {
    static SAID: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("PLATFORM_TEST_DATABASE_URL").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "PLATFORM_TEST_DATABASE_URL is not set under CI: run the tests with scripts/test.sh"
    );
    SAID.call_once(|| {
        eprintln!(
            "skipping the PostgreSQL variants: PLATFORM_TEST_DATABASE_URL is not set \
             (scripts/test.sh starts a throwaway PostgreSQL and sets it)"
        );
    });
    false
}

/// A fresh, empty PostgreSQL database for one test; its URL.
pub async fn fresh_postgres_database() -> String {
    let base = std::env::var("PLATFORM_TEST_DATABASE_URL").expect(
        "PLATFORM_TEST_DATABASE_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL",
    );
    let admin = sea_orm::Database::connect(&base)
        .await
        .expect("connect to the test PostgreSQL server");
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let _ = admin.close().await;
    let mut url = url::Url::parse(&base).expect("valid PLATFORM_TEST_DATABASE_URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A configuration for `db` with its own data and mail directories.
pub async fn test_config(db: Db, dir: &TempDir, extra: &[(&str, &str)]) -> Config {
    let mut figment = Figment::from(Serialized::defaults(Config::default()))
        .merge(("data_dir", dir.path().join("data")))
        .merge(("mail_dir", dir.path().join("mail")))
        .merge(("outbox_sweep_secs", 1))
        .merge(("mail_retry_base_ms", 100))
        .merge(("pg_max_connections", 4));
    if db == Db::Postgres {
        figment = figment.merge(("database_url", fresh_postgres_database().await));
    }
    let figment = merge_typed(figment, extra.iter().copied());
    Config::from_figment(figment).expect("valid test configuration")
}

/// Merges `key = value` pairs as the environment provider reads them: numbers and booleans are
/// typed, the rest are strings.
pub fn merge_typed<'a>(
    mut figment: Figment,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Figment {
    for (k, v) in pairs {
        figment = match (v.parse::<i64>(), v.parse::<bool>()) {
            (Ok(n), _) => figment.merge((k, n)),
            (_, Ok(b)) => figment.merge((k, b)),
            _ => figment.merge((k, v)),
        };
    }
    figment
}

/// A running platform for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// `http://addr` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A user of `tenant` who signed up through the API (register, the emailed code, verify)
    /// and is signed in.
    pub async fn signed_in_user(&self, tenant: &str, email: &str) -> TestUser {
        let pair = crate::accounts::sign_up(self, tenant, email).await;
        let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
        TestUser {
            id: text(&pair["user"]["id"]).parse().expect("a user id"),
            email: text(&pair["user"]["email"]),
            access: text(&pair["access_token"]),
            refresh: text(&pair["refresh_token"]),
        }
    }

    /// Provisions a tenant through the service.
    pub async fn tenant(&self, slug: &str) -> Tenant {
        self.state
            .provision_tenant(&TenantSlug::parse(slug).expect("valid slug"), None)
            .await
            .expect("tenant created")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.await.expect("server task").expect("server ran cleanly");
        }
    }
}

/// A signed-in tenant user, as tests use one.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: uuid::Uuid,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

/// Starts the platform on port 0 over a fresh database of kind `db`.
pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// [`spawn_app`] with extra configuration pairs.
pub async fn spawn_app_with(db: Db, extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = test_config(db, &dir, extra).await;
    let state = AppState::build(config).await.expect("app state");
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .expect("local address");
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve_with(state.clone(), acceptor, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client
            .get(format!("http://{addr}/health/live"))
            .send()
            .await
            && r.status().is_success()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    TestApp {
        addr,
        state,
        client,
        dir,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// Messages a test SMTP server received.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<String>>>);

impl Inbox {
    pub fn messages(&self) -> Vec<String> {
        self.0.lock().expect("inbox").clone()
    }
}

#[derive(Clone)]
struct Collect {
    inbox: Inbox,
    current: Vec<u8>,
}

impl mailin_embedded::Handler for Collect {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> mailin_embedded::Response {
        self.current.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let text = String::from_utf8_lossy(&self.current).into_owned();
        self.inbox.0.lock().expect("inbox").push(text);
        mailin_embedded::response::OK
    }
}

pub use harness::free_port;

/// Starts a real SMTP server on `port` in a background thread; it runs until the test ends.
pub fn start_smtp(port: u16) -> Inbox {
    let inbox = Inbox::default();
    let mut server = mailin_embedded::Server::new(Collect {
        inbox: inbox.clone(),
        current: Vec::new(),
    });
    server
        .with_name("test.smtp")
        .with_addr(("127.0.0.1", port))
        .expect("smtp address");
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    // Wait until it accepts connections.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    inbox
}

/// The path of the built `platform` binary.
pub fn platform_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_platform"))
}

/// Runs the `platform` command with `args` against `app`'s data (its data dir, mail dir and
/// database), as an operator would on the same machine.
pub fn platform_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    use secrecy::ExposeSecret;
    let mut cmd = std::process::Command::new(platform_bin());
    cmd.args(args)
        .env_remove("PLATFORM_CONFIG")
        .env_remove("PLATFORM_SMTP_URL")
        .env("PLATFORM_DATA_DIR", app.dir.path().join("data"))
        .env("PLATFORM_MAIL_DIR", app.dir.path().join("mail"));
    match &app.state.config.database_url {
        Some(url) => cmd.env("PLATFORM_DATABASE_URL", url.expose_secret()),
        None => cmd.env_remove("PLATFORM_DATABASE_URL"),
    };
    cmd.output().expect("run platform")
}
