//! Restoring a tenant from a backup, which is untrusted input: it may have been written by
//! anyone with access to the backup directory.
//!
//! Nothing in a backup is executed. Before anything changes, the backup is inspected: on
//! PostgreSQL its table of contents (`pg_restore -l`) may hold only the tenant's own schema,
//! tables, indexes, constraints and their data (no functions, triggers, views, sequences,
//! defaults or anything else); on SQLite the file, opened read-only and immutable, must pass
//! `quick_check`, hold no triggers or views, and have exactly the schema the tenant migrations
//! give at its version. The tenant is then rebuilt in a staging place (a schema `r_…` or a file
//! `….staged`): its tables come from the platform's own migrations, up to the backup's version,
//! and only the backup's *rows* are loaded (on PostgreSQL through `COPY … FROM STDIN`
//! statements the platform writes, naming tables and columns that the migrations made), then
//! the rest of the migrations run. Only a fully staged tenant replaces anything, by a rename.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use anyhow::{Context, bail, ensure};
use migrations::{MigratorTrait, TenantMigrator};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, SqlxSqliteConnector, Statement,
    TransactionTrait,
    sqlx::{
        ConnectOptions,
        sqlite::{SqliteConnectOptions, SqlitePoolOptions},
    },
};
use uuid::Uuid;

use super::{Kind, Store, pg_tool_offline, schema_name, scope::point_at_schema, tenant_file};
use crate::store::entities::signing_key;

/// A tenant rebuilt from a backup, not yet in place.
#[derive(Debug)]
pub struct Staged {
    tenant_id: Uuid,
    place: Place,
    /// The migrations applied to it after its rows were loaded.
    applied: Vec<String>,
}

impl Staged {
    /// The names of the migrations the backup lacked and staging applied.
    pub fn applied(&self) -> &[String] {
        &self.applied
    }
}

#[derive(Debug)]
enum Place {
    Postgres { schema: String },
    Sqlite { path: PathBuf },
}

/// The names of the tenant migrations, in order.
fn migration_names() -> Vec<String> {
    TenantMigrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// How many tenant migrations a backup holding `applied` has: they must be the first ones of
/// this platform's list (a backup from a newer platform is refused).
fn version_of(applied: &[String]) -> anyhow::Result<u32> {
    let known = migration_names();
    ensure!(
        !applied.is_empty(),
        "the backup holds no migration record: it was not written by `platform tenant export`"
    );
    for (i, name) in applied.iter().enumerate() {
        ensure!(
            known.get(i) == Some(name),
            "the backup's migration {name:?} is not this platform's migration #{}: it comes from \
             a newer or another platform",
            i + 1
        );
    }
    Ok(u32::try_from(applied.len()).unwrap_or(u32::MAX))
}

/// Kinds of table-of-contents entries a tenant's `pg_dump` holds; anything else is refused.
const TOC_ALLOWED: &[&str] = &[
    "FK CONSTRAINT",
    "TABLE DATA",
    "CONSTRAINT",
    "INDEX",
    "TABLE",
    "SCHEMA",
];
/// Archive settings that `pg_restore -l` lists without a schema.
const TOC_SETTINGS: &[&str] = &["ENCODING", "STDSTRINGS", "SEARCHPATH"];

/// Checks a `pg_restore -l` listing: every entry is one of [`TOC_ALLOWED`] in `schema` (the
/// schema itself named `schema`), or an archive setting. The first other entry is named.
pub(crate) fn check_toc(toc: &str, schema: &str) -> anyhow::Result<()> {
    let mut saw_schema = false;
    for line in toc.lines().map(str::trim) {
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        let (_, rest) = line
            .split_once(';')
            .with_context(|| format!("unreadable table of contents entry {line:?}"))?;
        // `<table oid> <oid> <kind…> <schema> <name…> <owner>`
        let words: Vec<&str> = rest.split_whitespace().skip(2).collect();
        let joined = words.join(" ");
        if let Some(setting) = TOC_SETTINGS
            .iter()
            .find(|s| joined == **s || joined.starts_with(&format!("{s} ")))
        {
            ensure!(
                words.get(1) == Some(&"-"),
                "the backup holds an unexpected {setting} entry"
            );
            continue;
        }
        let Some(kind) = TOC_ALLOWED
            .iter()
            .find(|k| joined.starts_with(&format!("{k} ")))
        else {
            bail!(
                "the backup holds {:?}, which a tenant backup never does (only its own tables, \
                 indexes, constraints and rows): refused",
                words.iter().take(4).copied().collect::<Vec<_>>().join(" ")
            );
        };
        let after: Vec<&str> = joined[kind.len()..].split_whitespace().collect();
        if *kind == "SCHEMA" {
            ensure!(
                after.first() == Some(&"-") && after.get(1) == Some(&schema),
                "the backup holds schema {:?}, not the tenant's own {schema}: refused",
                after.get(1).copied().unwrap_or_default()
            );
            saw_schema = true;
        } else {
            ensure!(
                after.first() == Some(&schema),
                "the backup holds a {kind} outside the tenant's schema ({:?}): refused",
                after.first().copied().unwrap_or_default()
            );
        }
    }
    ensure!(
        saw_schema,
        "the backup does not hold schema {schema}: it is of another tenant"
    );
    Ok(())
}

/// The longest line of a dump read (a row of the largest table, JSON details included, is far
/// smaller).
const MAX_LINE: usize = 16 * 1024 * 1024;

/// Reads one line (with its `\n`) into `line`; `false` at the end. A line longer than
/// [`MAX_LINE`] is an error, so a hostile dump cannot make the reader hold it all.
async fn read_line(
    reader: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
) -> anyhow::Result<bool> {
    use tokio::io::AsyncBufReadExt;
    line.clear();
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        ensure!(
            line.len() <= MAX_LINE,
            "the backup holds a line over 16 MiB: refused"
        );
        if done {
            return Ok(true);
        }
    }
}

/// A `COPY schema.table (columns) FROM stdin;` line as pg_dump writes it: the schema, table
/// and columns, unquoted.
pub(crate) fn parse_copy_header(line: &str) -> Option<(String, String, Vec<String>)> {
    let rest = line.strip_prefix("COPY ")?.strip_suffix(" FROM stdin;")?;
    let (target, cols) = rest.split_once(" (")?;
    let cols = cols.strip_suffix(')')?;
    let mut target_parts = split_identifiers(target, '.')?;
    if target_parts.len() != 2 {
        return None;
    }
    let table = target_parts.pop()?;
    let schema = target_parts.pop()?;
    let columns = split_identifiers(cols, ',')?;
    Some((schema, table, columns))
}

/// Splits `s` at `sep` into identifiers, plain (`users`) or quoted (`"key"`, `""` for a
/// quote); `None` when anything else is there.
fn split_identifiers(s: &str, sep: char) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.trim().chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let mut ident = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        ident.push('"');
                    }
                    '"' => break,
                    c => ident.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                    ident.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if ident.is_empty() {
                return None;
            }
        }
        out.push(ident);
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some(c) if c == sep => {}
            Some(_) => return None,
        }
    }
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Store {
    /// Inspects the backup `file` of tenant `tenant_id` and rebuilds the tenant from it in a
    /// staging place, migrated to the current version (see the module docs). Nothing existing
    /// is touched; on failure the staging place is removed.
    pub async fn stage_restore(&self, tenant_id: Uuid, file: &Path) -> anyhow::Result<Staged> {
        let suffix = &Uuid::new_v4().simple().to_string()[..8];
        let staged = match &self.inner.kind {
            Kind::Postgres { .. } => Staged {
                tenant_id,
                place: Place::Postgres {
                    schema: format!("r_{}_{suffix}", tenant_id.simple()),
                },
                applied: Vec::new(),
            },
            Kind::Sqlite { tenants_dir, .. } => Staged {
                tenant_id,
                place: Place::Sqlite {
                    path: tenant_file(tenants_dir, tenant_id)
                        .with_extension(format!("db.staged-{suffix}")),
                },
                applied: Vec::new(),
            },
        };
        let built = match &staged.place {
            Place::Postgres { schema } => self.stage_postgres(tenant_id, file, schema).await,
            Place::Sqlite { path } => self.stage_sqlite(file, path).await,
        };
        match built {
            Ok(applied) => Ok(Staged { applied, ..staged }),
            Err(e) => {
                self.discard(staged).await;
                Err(e)
            }
        }
    }

    async fn stage_postgres(
        &self,
        tenant_id: Uuid,
        file: &Path,
        staging: &str,
    ) -> anyhow::Result<Vec<String>> {
        let schema = schema_name(tenant_id);
        let mut list = pg_tool_offline("pg_restore")?;
        list.arg("--list").arg(file);
        let toc = super::run_tool_output(list, "pg_restore --list").await?;
        check_toc(&toc, &schema)?;

        // The backup's version, from its migration records.
        let applied = dumped_migrations(file, &schema).await?;
        let version = version_of(&applied)?;

        // The tables, from the platform's own migrations up to that version.
        let control = &self.inner.control;
        let txn = control.begin().await?;
        txn.execute_unprepared(&format!("CREATE SCHEMA {}", quote_ident(staging)))
            .await?;
        point_at_schema(&txn, staging).await?;
        TenantMigrator::up(&txn, Some(version)).await?;
        txn.commit().await?;
        let columns = self.staged_columns(staging).await?;

        // The rows, through COPY statements written here.
        let mut data = pg_tool_offline("pg_restore")?;
        data.args(["--data-only", "--no-owner", "--no-privileges"])
            .arg(format!("--schema={schema}"))
            .args(["--file", "-"])
            .arg(file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = data.spawn().context("running pg_restore")?;
        let stdout = child.stdout.take().context("pg_restore's output")?;
        // Its warnings are read as they come (a full pipe would stall it), the first 64 KiB kept.
        let mut stderr = child.stderr.take().context("pg_restore's messages")?;
        let messages = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut kept = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if kept.len() < 64 * 1024 {
                    kept.extend_from_slice(&buf[..n]);
                }
            }
            kept
        });
        let pool = control.get_postgres_connection_pool();
        let mut tx = pool.begin().await?;
        let mut lines = tokio::io::BufReader::new(stdout);
        let mut line = Vec::new();
        let mut rows = 0u64;
        loop {
            if !read_line(&mut lines, &mut line).await? {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let Some((from_schema, table, cols)) = parse_copy_header(text.trim_end()) else {
                // SET lines, comments and the like: nothing of the backup is executed.
                continue;
            };
            ensure!(
                from_schema == schema,
                "the backup's rows name schema {from_schema:?}, not {schema}: refused"
            );
            let known = columns
                .get(&table)
                .with_context(|| format!("the backup holds rows of an unknown table {table:?}"))?;
            for c in &cols {
                ensure!(
                    known.contains(c),
                    "the backup's table {table} has a column {c:?} that the tenant migrations \
                     do not make"
                );
            }
            // The migrator wrote its own records for the staged version.
            let skip = table == "seaql_migrations";
            let statement = format!(
                "COPY {}.{} ({}) FROM STDIN",
                quote_ident(staging),
                quote_ident(&table),
                cols.iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut copy = if skip {
                None
            } else {
                Some(tx.copy_in_raw(&statement).await?)
            };
            let mut ended = false;
            loop {
                if !read_line(&mut lines, &mut line).await? {
                    break;
                }
                if line == b"\\.\n" || line == b"\\." {
                    ended = true;
                    break;
                }
                if let Some(c) = copy.as_mut() {
                    c.send(line.as_slice()).await?;
                    rows += 1;
                }
            }
            ensure!(ended, "the backup's rows of {table} are cut short");
            if let Some(c) = copy {
                c.finish().await?;
            }
        }
        let status = child.wait().await.context("pg_restore")?;
        let messages = messages.await.unwrap_or_default();
        ensure!(
            status.success(),
            "pg_restore failed ({status}): {}",
            String::from_utf8_lossy(&messages).trim()
        );
        tx.commit().await?;
        tracing::info!(rows, "backup rows loaded into the staging schema");

        // And the migrations since.
        let txn = control.begin().await?;
        point_at_schema(&txn, staging).await?;
        let applied = super::pending_names(&txn).await?;
        TenantMigrator::up(&txn, None).await?;
        txn.commit().await?;
        Ok(applied)
    }

    /// Every table of schema `staging` and its columns.
    async fn staged_columns(
        &self,
        staging: &str,
    ) -> anyhow::Result<BTreeMap<String, BTreeSet<String>>> {
        let rows = self
            .inner
            .control
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT c.relname AS t, a.attname AS c FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
                [staging.into()],
            ))
            .await?;
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in rows {
            out.entry(r.try_get("", "t")?)
                .or_default()
                .insert(r.try_get("", "c")?);
        }
        Ok(out)
    }

    async fn stage_sqlite(&self, file: &Path, staged: &Path) -> anyhow::Result<Vec<String>> {
        // The copy is what is checked and used: the backup's file may change after a check.
        ensure!(
            !std::fs::symlink_metadata(file)
                .with_context(|| format!("reading {}", file.display()))?
                .file_type()
                .is_symlink(),
            "the backup's data file is a symbolic link: refused"
        );
        std::fs::copy(file, staged).with_context(|| format!("copying {}", file.display()))?;
        std::fs::File::open(staged)
            .and_then(|f| f.sync_all())
            .context("syncing the staged file")?;
        inspect_sqlite(staged).await?;
        let conn = super::sqlite_pool(staged, 1).await?;
        let migrated = async {
            let txn = conn
                .begin_with_options(sea_orm::TransactionOptions {
                    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?;
            let applied = super::pending_names(&txn).await?;
            TenantMigrator::up(&txn, None).await?;
            txn.commit().await?;
            anyhow::Ok(applied)
        }
        .await;
        conn.close_by_ref().await?;
        migrated.context("migrating the staged tenant")
    }

    /// The signing keys of a staged tenant (to check they open under this master key).
    pub async fn staged_signing_keys(
        &self,
        staged: &Staged,
    ) -> anyhow::Result<Vec<signing_key::Model>> {
        match &staged.place {
            Place::Postgres { schema } => {
                let txn = self.inner.control.begin().await?;
                point_at_schema(&txn, schema).await?;
                let rows = signing_key::Entity::find().all(&txn).await?;
                txn.commit().await?;
                Ok(rows)
            }
            Place::Sqlite { path } => {
                let conn = super::sqlite_pool(path, 1).await?;
                let rows = signing_key::Entity::find().all(&conn).await;
                conn.close_by_ref().await?;
                Ok(rows?)
            }
        }
    }

    /// Puts a staged tenant in place as `registry` (its row in the tenant registry, inserted),
    /// replacing tenant `replacing` (its row and data removed) when given. Nothing is lost on
    /// failure: on PostgreSQL the registry and schema changes are one transaction; on SQLite
    /// the replaced file is moved aside first and back if anything fails. The staging is
    /// removed when it could not be put in place.
    pub async fn install_restored(
        &self,
        staged: Staged,
        replacing: Option<Uuid>,
        registry: crate::store::entities::tenant::Model,
    ) -> anyhow::Result<()> {
        let (id, slug) = (registry.id, registry.slug.clone());
        self.put_in_place(staged, replacing, registry).await?;
        // Every instance forgets the replaced tenant (same slug), the restored one and the
        // keys it cached for this id.
        let mut changes = Vec::new();
        if let Some(old) = replacing {
            changes.push(super::Change::Tenant {
                id: old,
                slug: slug.clone(),
            });
        }
        changes.push(super::Change::Tenant { id, slug });
        changes.push(super::Change::Keys { tenant: id });
        self.after_commit(None, super::effects::Effects::of_changes(changes))
            .await?;
        Ok(())
    }

    async fn put_in_place(
        &self,
        staged: Staged,
        replacing: Option<Uuid>,
        registry: crate::store::entities::tenant::Model,
    ) -> anyhow::Result<()> {
        use crate::store::entities::tenant;
        match (&self.inner.kind, &staged.place) {
            (Kind::Postgres { .. }, Place::Postgres { schema }) => {
                let done = async {
                    let txn = self.inner.control.begin().await?;
                    if let Some(old) = replacing {
                        tenant::Entity::delete_by_id(old).exec(&txn).await?;
                        txn.execute_unprepared(&format!(
                            "DROP SCHEMA IF EXISTS {} CASCADE",
                            schema_name(old)
                        ))
                        .await?;
                    }
                    txn.execute_unprepared(&format!(
                        "ALTER SCHEMA {} RENAME TO {}",
                        quote_ident(schema),
                        schema_name(staged.tenant_id)
                    ))
                    .await?;
                    tenant::Entity::insert(tenant::ActiveModel::from(registry))
                        .exec(&txn)
                        .await?;
                    txn.commit().await?;
                    anyhow::Ok(())
                }
                .await;
                if done.is_err() {
                    self.discard(staged).await;
                }
                done.context("putting the restored tenant in place")
            }
            (Kind::Sqlite { tenants_dir, pools }, Place::Sqlite { path }) => {
                let target = tenant_file(tenants_dir, staged.tenant_id);
                // The replaced tenant's files go aside (its pool closed first), to come back
                // if anything fails.
                let mut aside = Vec::new();
                if let Some(old) = replacing {
                    if let Some(conn) = pools.remove(&old).await {
                        conn.close_by_ref().await?;
                    }
                    let old_file = tenant_file(tenants_dir, old);
                    for suffix in ["", "-wal", "-shm"] {
                        let mut from = old_file.clone().into_os_string();
                        from.push(suffix);
                        let from = PathBuf::from(from);
                        if from.exists() {
                            let mut to = from.clone().into_os_string();
                            to.push(format!(".replaced-{}", Uuid::new_v4().simple()));
                            let to = PathBuf::from(to);
                            std::fs::rename(&from, &to)
                                .with_context(|| format!("moving {} aside", from.display()))?;
                            aside.push((from, to));
                        }
                    }
                }
                let done = async {
                    ensure!(
                        !target.exists(),
                        "the tenant's database file already exists"
                    );
                    std::fs::rename(path, &target).context("moving the staged file in place")?;
                    let txn = self.inner.control.begin().await?;
                    if let Some(old) = replacing {
                        tenant::Entity::delete_by_id(old).exec(&txn).await?;
                    }
                    tenant::Entity::insert(tenant::ActiveModel::from(registry))
                        .exec(&txn)
                        .await?;
                    txn.commit().await?;
                    anyhow::Ok(())
                }
                .await;
                match done {
                    Ok(()) => {
                        for (_, to) in aside {
                            let _ = std::fs::remove_file(to);
                        }
                        Ok(())
                    }
                    Err(e) => {
                        if target.exists() && !path.exists() {
                            let _ = std::fs::rename(&target, path);
                        }
                        for (from, to) in aside {
                            let _ = std::fs::rename(to, from);
                        }
                        self.discard(staged).await;
                        Err(e.context("putting the restored tenant in place"))
                    }
                }
            }
            _ => bail!("a staging of another backend"),
        }
    }

    /// Removes a staged tenant.
    pub async fn discard(&self, staged: Staged) {
        match &staged.place {
            Place::Postgres { schema } => {
                let _ = self
                    .inner
                    .control
                    .execute_unprepared(&format!(
                        "DROP SCHEMA IF EXISTS {} CASCADE",
                        quote_ident(schema)
                    ))
                    .await;
            }
            Place::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
    }
}

/// The migration records in a dump, read from its `seaql_migrations` rows.
async fn dumped_migrations(file: &Path, schema: &str) -> anyhow::Result<Vec<String>> {
    let mut cmd = pg_tool_offline("pg_restore")?;
    cmd.args(["--data-only", "--table=seaql_migrations"])
        .arg(format!("--schema={schema}"))
        .args(["--file", "-"])
        .arg(file);
    let text = super::run_tool_output(cmd, "pg_restore").await?;
    let mut applied = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        let Some((_, table, cols)) = parse_copy_header(l) else {
            continue;
        };
        ensure!(table == "seaql_migrations", "unexpected rows of {table}");
        let at = cols
            .iter()
            .position(|c| c == "version")
            .context("the migration records have no version")?;
        for row in lines.by_ref() {
            if row == "\\." {
                break;
            }
            let version = row
                .split('\t')
                .nth(at)
                .context("a malformed migration record")?;
            applied.push(version.to_owned());
        }
    }
    applied.sort();
    Ok(applied)
}

/// One `sqlite_master` row: type, name, table, SQL with runs of whitespace collapsed.
type SchemaRow = (String, String, String, Option<String>);

async fn sqlite_schema(conn: &DatabaseConnection) -> anyhow::Result<BTreeSet<SchemaRow>> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, name, tbl_name, sql FROM sqlite_master",
        ))
        .await?;
    let mut out = BTreeSet::new();
    for r in rows {
        let name: String = r.try_get("", "name")?;
        if name.starts_with("sqlite_stat") {
            continue;
        }
        let sql: Option<String> = r.try_get("", "sql")?;
        out.insert((
            r.try_get("", "type")?,
            name,
            r.try_get("", "tbl_name")?,
            sql.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        ));
    }
    Ok(out)
}

/// Opens a SQLite backup read-only and immutable and checks it (see the module docs); its
/// migration count.
async fn inspect_sqlite(file: &Path) -> anyhow::Result<u32> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true)
        .pragma("trusted_schema", "OFF")
        .pragma("cell_size_check", "ON")
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {} read-only", file.display()))?;
    let conn = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let checked = async {
        let ok = conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA quick_check",
            ))
            .await
            .context("the backup is not a readable SQLite database")?
            .map(|r| r.try_get_by_index::<String>(0))
            .transpose()?;
        ensure!(
            ok.as_deref() == Some("ok"),
            "the backup's SQLite file is damaged: {}",
            ok.unwrap_or_default()
        );
        let schema = sqlite_schema(&conn).await?;
        if let Some((kind, name, ..)) = schema
            .iter()
            .find(|(kind, ..)| kind == "trigger" || kind == "view")
        {
            bail!(
                "the backup holds a {kind} ({name:?}), which a tenant backup never does: refused"
            );
        }
        let applied: Vec<String> = conn
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT version FROM seaql_migrations ORDER BY version",
            ))
            .await
            .context("the backup holds no migration record")?
            .into_iter()
            .map(|r| r.try_get::<String>("", "version"))
            .collect::<Result<_, _>>()?;
        let version = version_of(&applied)?;
        let reference = sea_orm::Database::connect("sqlite::memory:").await?;
        TenantMigrator::up(&reference, Some(version)).await?;
        let expected = sqlite_schema(&reference).await?;
        reference.close_by_ref().await?;
        if let Some(extra) = schema.difference(&expected).next() {
            bail!(
                "the backup's {} {:?} is not what the tenant migrations make: refused",
                extra.0,
                extra.1
            );
        }
        if let Some(missing) = expected.difference(&schema).next() {
            bail!(
                "the backup lacks the {} {:?} that the tenant migrations make",
                missing.0,
                missing.1
            );
        }
        anyhow::Ok(version)
    }
    .await;
    conn.close_by_ref().await?;
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "t_0123";

    fn toc(lines: &[&str]) -> String {
        let mut t = String::from(";\n; Archive created at …\n;\n");
        for l in lines {
            t.push_str(l);
            t.push('\n');
        }
        t
    }

    #[test]
    fn a_tenants_own_listing_passes() {
        let t = toc(&[
            "7; 2615 34161 SCHEMA - t_0123 platform",
            "238; 1259 34276 TABLE t_0123 users platform",
            "3488; 0 34276 TABLE DATA t_0123 users platform",
            "3331; 2606 34280 CONSTRAINT t_0123 users users_pkey platform",
            "3332; 1259 34281 INDEX t_0123 users_email platform",
            "3333; 2606 34282 FK CONSTRAINT t_0123 sessions sessions_user_fkey platform",
        ]);
        check_toc(&t, S).expect("its own objects");
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        for (line, needle) in [
            ("240; 1255 1 FUNCTION t_0123 evil() platform", "FUNCTION"),
            ("241; 2620 1 TRIGGER t_0123 users t platform", "TRIGGER"),
            ("242; 1259 1 VIEW t_0123 v platform", "VIEW"),
            ("243; 1259 1 TABLE control operators platform", "outside"),
            ("244; 0 1 TABLE DATA control operators platform", "outside"),
            ("245; 2604 1 DEFAULT t_0123 users id platform", "DEFAULT"),
            ("246; 1259 1 SEQUENCE t_0123 s platform", "SEQUENCE"),
            ("247; 3079 1 EXTENSION - dblink", "EXTENSION"),
            ("248; 2615 1 SCHEMA - t_9999 platform", "schema"),
        ] {
            let t = toc(&["7; 2615 34161 SCHEMA - t_0123 platform", line]);
            let e = check_toc(&t, S).expect_err(line).to_string();
            assert!(e.contains(needle), "{line}: {e}");
        }
        let e = check_toc(&toc(&["238; 1259 1 TABLE t_0123 users platform"]), S)
            .expect_err("no schema")
            .to_string();
        assert!(e.contains("another tenant"), "{e}");
    }

    #[test]
    fn copy_headers_parse_strictly() {
        assert_eq!(
            parse_copy_header("COPY t_0123.users (id, email, \"key\") FROM stdin;"),
            Some((
                "t_0123".into(),
                "users".into(),
                vec!["id".into(), "email".into(), "key".into()]
            ))
        );
        for bad in [
            "COPY t_0123.users (id) FROM stdin; DROP TABLE x;",
            "COPY users (id) FROM stdin;",
            "COPY t_0123.users (id) TO PROGRAM 'x';",
            "COPY t_0123.users (id; x) FROM stdin;",
            "INSERT INTO control.operators VALUES (1);",
        ] {
            assert_eq!(parse_copy_header(bad), None, "{bad}");
        }
    }

    #[test]
    fn versions_must_be_a_prefix_of_ours() {
        let names = migration_names();
        assert_eq!(version_of(&names[..2]).expect("prefix"), 2);
        assert!(version_of(&[]).is_err());
        assert!(version_of(&["m9999_future".into()]).is_err());
        let mut skipped = names.clone();
        skipped.remove(0);
        assert!(version_of(&skipped).is_err());
    }
}
