//! The tenant scope: the only way to reach a tenant's tables.
//!
//! A [`TenantScope`] is built by tenant resolution ([`crate::tenants::Tenants::scope`]) from a
//! tenant record read from the control plane; nothing else can construct one. Its transactions
//! are pointed at the tenant's own data: on PostgreSQL with `set_config('search_path', …, true)`
//! (transaction-local, reset at commit, rollback or drop), on SQLite by opening the tenant's own
//! file. Outside a scope the tenant tables do not exist (the control schema or file lacks them),
//! so a query that escapes the scope fails instead of reading another tenant's rows.

use std::{ops::Deref, sync::Arc};

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::{
    Change, Store, TenantDb,
    effects::{Hook, Pending},
    entities::domain_event,
};
use crate::error::Result;

/// Proof that a tenant was resolved: carries its id and opens transactions on its data only.
#[derive(Clone, Debug)]
pub struct TenantScope {
    tenant_id: Uuid,
    slug: Arc<str>,
    store: Store,
}

impl TenantScope {
    /// Only tenant resolution calls this (see the module docs).
    pub(crate) fn resolved(store: Store, tenant_id: Uuid, slug: &str) -> Self {
        Self {
            tenant_id,
            slug: slug.into(),
            store,
        }
    }

    /// The tenant's stable id.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// The tenant's slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// Begins a read-write transaction on this tenant's data.
    pub async fn begin(&self) -> Result<TenantTx> {
        self.open(true).await
    }

    /// Begins a transaction for reads only. On SQLite it does not take the write lock, so
    /// readers run side by side (WAL); writing in it may fail when another writer commits first.
    pub async fn read(&self) -> Result<TenantTx> {
        self.open(false).await
    }

    async fn open(&self, write: bool) -> Result<TenantTx> {
        let txn = match self.store.tenant_db(self.tenant_id).await? {
            TenantDb::Sqlite(conn) if write => {
                // IMMEDIATE takes the write lock up front, so a transaction that reads and then
                // writes never fails on lock upgrade while another writer commits.
                conn.begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?
            }
            TenantDb::Sqlite(conn) => conn.begin().await?,
            TenantDb::Postgres { pool, schema } => {
                let txn = pool.begin().await?;
                point_at_schema(&txn, &schema).await?;
                txn
            }
        };
        Ok(TenantTx {
            txn,
            tenant_id: self.tenant_id,
            store: self.store.clone(),
            pending: Pending::default(),
        })
    }
}

/// Sets the transaction-local search path (never a plain `SET`, which outlives the transaction).
pub(super) async fn point_at_schema(txn: &DatabaseTransaction, schema: &str) -> Result<()> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('search_path', $1, true)",
        [schema.into()],
    ))
    .await?;
    Ok(())
}

/// An open transaction on one tenant's data, and the unit of work around it: what the change
/// means beyond its rows is recorded on it ([`TenantTx::invalidate`], [`TenantTx::emit`]) and
/// happens when it commits. Dropping it without [`TenantTx::commit`] rolls back and discards
/// them.
#[derive(Debug)]
pub struct TenantTx {
    txn: DatabaseTransaction,
    tenant_id: Uuid,
    store: Store,
    pending: Pending,
}

impl TenantTx {
    /// The tenant this transaction belongs to.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// Serialises writers of one named resource of this tenant until the transaction ends:
    /// a transaction-scoped advisory lock on PostgreSQL; on SQLite the transaction already holds
    /// the database's write lock (it began IMMEDIATE).
    pub async fn lock(&self, name: &str) -> Result<()> {
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtext($1))",
                    [format!("{}:{name}", self.tenant_id).into()],
                ))
                .await?;
        }
        Ok(())
    }

    /// Records that mail was queued, so the sender is woken once this transaction commits.
    pub(crate) fn note_mail_queued(&self) {
        self.pending.mail();
    }

    /// Records that `change` makes cached copies stale: once this transaction commits they are
    /// dropped here and on every other instance; a rollback drops nothing.
    pub fn invalidate(&self, change: Change) {
        self.pending.change(change);
    }

    /// Records a domain event's row (see `TenantTx::emit` in [`crate::events`]): written in
    /// this transaction, just before it commits.
    pub(crate) fn record_event(&self, row: domain_event::Model) {
        self.pending.event(row);
    }

    /// Records `hook`, run once this transaction committed (an operators' log entry).
    pub(crate) fn on_commit(&self, hook: Hook) {
        self.pending.hook(hook);
    }

    /// Rolls back every change of this transaction; nothing recorded on it happens.
    pub async fn rollback(self) -> Result<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    /// Writes the recorded events (one statement), commits, then applies what was recorded:
    /// caches dropped and announced, the mail sender woken, hooks run.
    pub async fn commit(self) -> Result<()> {
        let rows = self.pending.take_events();
        if !rows.is_empty() {
            domain_event::Entity::insert_many(
                rows.into_iter().map(domain_event::ActiveModel::from),
            )
            .exec(&self.txn)
            .await?;
        }
        self.txn.commit().await?;
        self.store
            .after_commit(Some(self.tenant_id), self.pending.into_effects())
            .await
    }
}

impl Deref for TenantTx {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
