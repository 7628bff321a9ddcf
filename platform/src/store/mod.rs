//! Data access: the control plane and the per-tenant databases, and how to reach each.
//!
//! PostgreSQL: one database, the control plane in schema `control` (every pooled connection starts
//! with `search_path=control`), each tenant in its own schema `t_<id>`. SQLite: `control.db` and
//! one file per tenant under `tenants/`, each with a small pool kept in a bounded moka cache; an
//! evicted pool closes once its last user drops it.

mod control_tx;
mod effects;
mod notify;
mod outbox_signal;
mod restore;
mod scope;

pub mod entities;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use migrations::{ControlMigrator, MigratorTrait, TenantMigrator};
use moka::future::Cache;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector,
    TransactionTrait,
    sqlx::{
        ConnectOptions,
        postgres::{PgConnectOptions, PgPoolOptions},
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    },
};
use secrecy::ExposeSecret;
use uuid::Uuid;

pub use control_tx::ControlTx;
pub use effects::LocalCaches;
pub use notify::{CHANNEL as NOTIFY_CHANNEL, Change, Message as NotifyMessage, Notifier};
pub use outbox_signal::OutboxSignal;
pub use restore::Staged;
pub use scope::{TenantScope, TenantTx};

use crate::{
    config::{Backend, Config},
    error::{Error, Result},
};

/// The schema that holds the control plane on PostgreSQL.
pub const CONTROL_SCHEMA: &str = "control";

/// Handle to all data; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

struct Inner {
    control: DatabaseConnection,
    kind: Kind,
    outbox: OutboxSignal,
    notifier: Notifier,
    /// The process's caches that committed changes drop (see [`effects`]).
    caches: effects::CacheSlot,
}

enum Kind {
    Sqlite {
        tenants_dir: PathBuf,
        pools: Cache<Uuid, DatabaseConnection>,
    },
    Postgres {
        /// One connection, apart from the request pool, for LISTEN (held while listening).
        listen: sea_orm::sqlx::PgPool,
    },
}

/// Where a tenant's transaction runs.
pub(crate) enum TenantDb {
    Sqlite(DatabaseConnection),
    Postgres {
        pool: DatabaseConnection,
        schema: String,
    },
}

/// The PostgreSQL schema of a tenant: derived from its id, never from user text.
pub fn schema_name(tenant_id: Uuid) -> String {
    format!("t_{}", tenant_id.simple())
}

impl Store {
    /// Connects to the configured backend and brings the control plane to the latest migration.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let kind_and_control = match config.backend() {
            Backend::Sqlite => {
                let tenants_dir = config.data_dir.join("tenants");
                std::fs::create_dir_all(&tenants_dir).with_context(|| {
                    format!("creating the data directory {}", tenants_dir.display())
                })?;
                for dir in [&config.data_dir, &tenants_dir] {
                    check_writable(dir)?;
                }
                let control = sqlite_pool(&config.data_dir.join("control.db"), 4)
                    .await
                    .context("opening the control database")?;
                let pools = Cache::builder()
                    .max_capacity(config.sqlite_open_tenants)
                    .time_to_idle(Duration::from_secs(15 * 60))
                    // An evicted pool is not closed here: a request may still hold a clone of
                    // it. Dropping the cache's handle lets sqlx close the pool (and its file
                    // handles and threads) when its last user is done.
                    .eviction_listener(|id, _conn: DatabaseConnection, cause| {
                        tracing::debug!(tenant_id = %id, ?cause, "tenant pool released");
                    })
                    .build();
                (
                    Kind::Sqlite { tenants_dir, pools },
                    control,
                    Notifier::default(),
                )
            }
            Backend::Postgres => {
                let url = config
                    .database_url
                    .as_ref()
                    .map(|u| u.expose_secret().to_owned())
                    .unwrap_or_default();
                let options: PgConnectOptions = url
                    .parse()
                    .context("database_url is not a valid PostgreSQL URL")?;
                let options = options
                    .options([("search_path", CONTROL_SCHEMA)])
                    .statement_cache_capacity(1024)
                    .application_name("platform")
                    .disable_statement_logging();
                let listen = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_millis(config.pg_acquire_timeout_ms))
                    .connect_lazy_with(options.clone());
                let pool = PgPoolOptions::new()
                    .max_connections(config.pg_max_connections)
                    .acquire_timeout(Duration::from_millis(config.pg_acquire_timeout_ms))
                    .max_lifetime(Duration::from_secs(config.pg_connection_lifetime_secs))
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                let notifier = Notifier::postgres(pool.clone());
                let control = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                (Kind::Postgres { listen }, control, notifier)
            }
        };
        let (kind, control, notifier) = kind_and_control;
        migrate_control(&control)
            .await
            .context("migrating the control plane")?;
        Ok(Self {
            inner: Arc::new(Inner {
                control,
                kind,
                outbox: OutboxSignal::default(),
                notifier,
                caches: effects::CacheSlot::new(),
            }),
        })
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        match self.inner.kind {
            Kind::Sqlite { .. } => Backend::Sqlite,
            Kind::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The control-plane connection (tenant registry). Tenant tables are not reachable from it.
    pub fn control(&self) -> &DatabaseConnection {
        &self.inner.control
    }

    /// The signal that wakes the mail sender when a transaction queued mail.
    pub fn outbox_signal(&self) -> &OutboxSignal {
        &self.inner.outbox
    }

    /// Tells the other instances on this database what changed (nothing on SQLite).
    pub fn notifier(&self) -> &Notifier {
        &self.inner.notifier
    }

    /// The PostgreSQL connection that listens for other instances' changes, apart from the
    /// request pool (`None` on SQLite).
    pub fn pg_pool(&self) -> Option<sea_orm::sqlx::PgPool> {
        match &self.inner.kind {
            Kind::Postgres { listen } => Some(listen.clone()),
            Kind::Sqlite { .. } => None,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.inner
            .control
            .ping()
            .await
            .map_err(|e| Error::Unavailable(e.into()))
    }

    /// The connection a tenant's transaction runs on.
    pub(crate) async fn tenant_db(&self, tenant_id: Uuid) -> Result<TenantDb> {
        match &self.inner.kind {
            Kind::Postgres { .. } => Ok(TenantDb::Postgres {
                pool: self.inner.control.clone(),
                schema: schema_name(tenant_id),
            }),
            Kind::Sqlite { tenants_dir, pools } => {
                let path = tenant_file(tenants_dir, tenant_id);
                let entry = pools
                    .entry(tenant_id)
                    .or_try_insert_with(async move {
                        if !path.exists() {
                            // Never create a tenant file on the request path: only provisioning does.
                            return Err(TenantOpenError::Missing);
                        }
                        sqlite_pool(&path, 2).await.map_err(TenantOpenError::Open)
                    })
                    .await
                    .map_err(|e| match &*e {
                        TenantOpenError::Missing => {
                            Error::Internal(anyhow::anyhow!("tenant database file is missing"))
                        }
                        // The file exists but cannot be opened for writing (a read-only or full
                        // disk): the storage is unavailable, and the next request tries again.
                        TenantOpenError::Open(e) => Error::Unavailable(anyhow::anyhow!("{e:#}")),
                    })?;
                if entry.is_fresh() {
                    // Close the pools over capacity now, not at some later cache operation:
                    // their files and threads are what the capacity bounds.
                    pools.run_pending_tasks().await;
                }
                Ok(TenantDb::Sqlite(entry.into_value()))
            }
        }
    }

    /// Creates the tenant's schema or file (if absent) and applies every pending tenant migration,
    /// atomically per tenant: a crash leaves the tenant at its previous version. Concurrent
    /// migrators of one tenant (a server starting while a tenant is provisioned, two instances)
    /// are serialised: a PostgreSQL advisory lock, or SQLite's write lock taken up front.
    /// Returns the names of the migrations applied.
    pub async fn migrate_tenant(&self, tenant_id: Uuid) -> anyhow::Result<Vec<String>> {
        match &self.inner.kind {
            Kind::Postgres { .. } => {
                let schema = schema_name(tenant_id);
                let txn = self.inner.control.begin().await?;
                txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtext($1))",
                    [schema.clone().into()],
                ))
                .await?;
                txn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                    .await?;
                scope::point_at_schema(&txn, &schema).await?;
                let pending = pending_names(&txn).await?;
                TenantMigrator::up(&txn, None).await?;
                txn.commit().await?;
                Ok(pending)
            }
            Kind::Sqlite { tenants_dir, pools } => {
                let path = tenant_file(tenants_dir, tenant_id);
                let conn = match pools.get(&tenant_id).await {
                    Some(conn) => conn,
                    None => {
                        let conn = sqlite_pool(&path, 2).await?;
                        pools.insert(tenant_id, conn.clone()).await;
                        conn
                    }
                };
                let txn = conn
                    .begin_with_options(sea_orm::TransactionOptions {
                        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                let pending = pending_names(&txn).await?;
                TenantMigrator::up(&txn, None).await?;
                txn.commit().await?;
                Ok(pending)
            }
        }
    }

    /// Whether the tenant's schema or file is fully migrated (used by `platform migrate`).
    pub async fn tenant_pending_migrations(&self, tenant_id: Uuid) -> anyhow::Result<usize> {
        match &self.inner.kind {
            Kind::Postgres { .. } => {
                let schema = schema_name(tenant_id);
                let txn = self.inner.control.begin().await?;
                let exists = txn
                    .query_one_raw(sea_orm::Statement::from_sql_and_values(
                        sea_orm::DbBackend::Postgres,
                        "SELECT 1 FROM pg_namespace WHERE nspname = $1",
                        [schema.clone().into()],
                    ))
                    .await?
                    .is_some();
                if !exists {
                    return Ok(TenantMigrator::migrations().len());
                }
                scope::point_at_schema(&txn, &schema).await?;
                let pending = TenantMigrator::get_pending_migrations(&txn).await?.len();
                txn.rollback().await?;
                Ok(pending)
            }
            Kind::Sqlite { tenants_dir, .. } => {
                let path = tenant_file(tenants_dir, tenant_id);
                if !path.exists() {
                    return Ok(TenantMigrator::migrations().len());
                }
                let TenantDb::Sqlite(conn) = self.tenant_db(tenant_id).await? else {
                    unreachable!("sqlite store yields sqlite connections")
                };
                Ok(TenantMigrator::get_pending_migrations(&conn).await?.len())
            }
        }
    }

    /// Removes a tenant's schema or file, closing its pool first.
    pub async fn drop_tenant_data(&self, tenant_id: Uuid) -> anyhow::Result<()> {
        match &self.inner.kind {
            Kind::Postgres { .. } => {
                self.inner
                    .control
                    .execute_unprepared(&format!(
                        "DROP SCHEMA IF EXISTS {} CASCADE",
                        schema_name(tenant_id)
                    ))
                    .await?;
            }
            Kind::Sqlite { tenants_dir, pools } => {
                if let Some(conn) = pools.remove(&tenant_id).await {
                    conn.close_by_ref().await?;
                }
                let path = tenant_file(tenants_dir, tenant_id);
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    match std::fs::remove_file(&p) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(e).with_context(|| format!("removing {}", path.display()));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes a consistent copy of the tenant's data to `file` while it keeps serving: SQLite's
    /// `VACUUM INTO`, or `pg_dump` of its schema (custom format).
    pub async fn dump_tenant(&self, tenant_id: Uuid, file: &Path, url: &str) -> anyhow::Result<()> {
        match self
            .tenant_db(tenant_id)
            .await
            .map_err(anyhow::Error::from)?
        {
            TenantDb::Sqlite(conn) => {
                let target = file.display().to_string().replace('\'', "''");
                conn.execute_unprepared(&format!("VACUUM INTO '{target}'"))
                    .await
                    .context("copying the tenant's database file")?;
            }
            TenantDb::Postgres { schema, .. } => {
                let mut cmd = pg_tool("pg_dump", url)?;
                cmd.args(["--format=custom", "--no-owner", "--no-privileges"])
                    .arg(format!("--schema={schema}"))
                    .arg("--file")
                    .arg(file);
                run_tool(cmd, "pg_dump").await?;
            }
        }
        Ok(())
    }

    /// Closes every connection (tests and shutdown).
    pub async fn close(&self) {
        if let Kind::Sqlite { pools, .. } = &self.inner.kind {
            for (_, conn) in pools.iter() {
                let _ = conn.close_by_ref().await;
            }
            pools.invalidate_all();
        }
        if let Kind::Postgres { listen } = &self.inner.kind {
            // The listening task is stopped first; do not wait long for its connection.
            let _ = tokio::time::timeout(Duration::from_secs(1), listen.close()).await;
        }
        let _ = self.inner.control.close_by_ref().await;
    }
}

/// A PostgreSQL client tool (`pg_dump`, `pg_restore`) pointed at `url`'s database through
/// its database name and libpq's environment, so that no password appears in the process list.
/// The names of the tenant migrations `txn`'s schema or file has yet to apply.
async fn pending_names(txn: &sea_orm::DatabaseTransaction) -> anyhow::Result<Vec<String>> {
    Ok(TenantMigrator::get_pending_migrations(txn)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// Creates and migrates the control plane in one transaction, serialised between processes
/// starting at once (on PostgreSQL an advisory lock: without it, two instances creating the
/// same tables raced and one failed on a duplicate `pg_type` key; on SQLite the write lock).
async fn migrate_control(control: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = match control.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let txn = control.begin().await?;
            txn.execute_unprepared(
                "SELECT pg_advisory_xact_lock(hashtext('platform control migrations'))",
            )
            .await?;
            txn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {CONTROL_SCHEMA}"))
                .await?;
            txn
        }
        _ => {
            control
                .begin_with_options(sea_orm::TransactionOptions {
                    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?
        }
    };
    ControlMigrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(())
}

/// A PostgreSQL client tool that works on a file alone (`pg_restore --list`, or to a script on
/// its standard output): no connection, and none of this process's environment.
fn pg_tool_offline(tool: &str) -> anyhow::Result<tokio::process::Command> {
    let mut cmd = tokio::process::Command::new(find_pg_tool(tool)?);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null());
    Ok(cmd)
}

fn pg_tool(tool: &str, url: &str) -> anyhow::Result<tokio::process::Command> {
    let url = url::Url::parse(url).context("database_url is not a URL")?;
    let mut cmd = tokio::process::Command::new(find_pg_tool(tool)?);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PGHOST", url.host_str().unwrap_or("localhost"))
        .env("PGPORT", url.port().unwrap_or(5432).to_string())
        .stdin(std::process::Stdio::null())
        // Both tools take the database by name (pg_restore only that way); the rest goes
        // through the environment.
        .arg(format!("--dbname={}", url.path().trim_start_matches('/')));
    // Userinfo is percent-encoded; form decoding does that too, once `+` is kept literal.
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    if !url.username().is_empty() {
        cmd.env("PGUSER", decode(url.username()));
    }
    if let Some(p) = url.password() {
        cmd.env("PGPASSWORD", decode(p));
    }
    for (k, v) in url.query_pairs() {
        match &*k {
            "sslmode" => cmd.env("PGSSLMODE", &*v),
            "sslrootcert" => cmd.env("PGSSLROOTCERT", &*v),
            _ => &mut cmd,
        };
    }
    Ok(cmd)
}

/// `tool` on the `PATH`, else in the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
fn find_pg_tool(tool: &str) -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(tool))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(tool))
        .collect();
    debian.sort();
    debian.reverse();
    on_path
        .into_iter()
        .chain(debian)
        .find(|p| p.is_file())
        .with_context(|| format!("{tool} not found: install PostgreSQL's client tools"))
}

/// Runs a client tool and returns what it printed; its stderr becomes the error.
async fn run_tool_output(mut cmd: tokio::process::Command, tool: &str) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {tool}"))?;
    anyhow::ensure!(
        out.status.success(),
        "{tool} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8(out.stdout).with_context(|| format!("{tool} printed something not UTF-8"))
}

/// Runs a client tool; its stderr becomes the error.
async fn run_tool(mut cmd: tokio::process::Command, tool: &str) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {tool}"))?;
    anyhow::ensure!(
        out.status.success(),
        "{tool} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

/// Fails with a clear message when files cannot be created in `dir` (a read-only volume, wrong
/// ownership, a full disk): better than SQLite's errors halfway through a migration.
fn check_writable(dir: &Path) -> anyhow::Result<()> {
    let probe = dir.join(format!(".write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .with_context(|| format!("the data directory {} is not writable", dir.display()))
}

fn tenant_file(dir: &Path, tenant_id: Uuid) -> PathBuf {
    dir.join(format!("{}.db", tenant_id.simple()))
}

/// Why a tenant's SQLite pool could not be opened.
#[derive(Debug)]
enum TenantOpenError {
    Missing,
    Open(anyhow::Error),
}

/// A small SQLite pool on one file, in WAL mode. A connection must be able to write: SQLite
/// silently opens a write-protected file read-only, and such a connection would fail every write
/// for as long as the pool kept it, even after the disk is writable again.
async fn sqlite_pool(path: &Path, max: u32) -> anyhow::Result<DatabaseConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .min_connections(0)
        // A quiet tenant gives its connections back: each holds about 0.5 MB (its parsed
        // schema, page cache and statements) and a thread.
        .idle_timeout(Duration::from_secs(5 * 60))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                use sea_orm::sqlx::Executor;
                conn.execute("BEGIN IMMEDIATE").await?;
                conn.execute("ROLLBACK").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}
