//! A control-plane transaction as a unit of work: like [`super::TenantTx`], what its change
//! makes stale is recorded on it and dropped (here and on every other instance) once it commits.

use std::ops::Deref;

use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use super::{Change, Store, effects::Pending};
use crate::error::Result;

/// An open control-plane transaction. Dropping it without [`ControlTx::commit`] rolls back
/// and discards what was recorded.
#[derive(Debug)]
pub struct ControlTx {
    txn: DatabaseTransaction,
    store: Store,
    pending: Pending,
}

impl Store {
    /// Begins a read-write control-plane transaction (on SQLite it takes the write lock up
    /// front, as tenant transactions do).
    pub async fn begin_control(&self) -> Result<ControlTx> {
        let txn = self
            .control()
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(ControlTx {
            txn,
            store: self.clone(),
            pending: Pending::default(),
        })
    }
}

impl ControlTx {
    /// Records that `change` makes cached copies stale, dropped once this transaction commits.
    pub fn invalidate(&self, change: Change) {
        self.pending.change(change);
    }

    /// Commits, then drops and announces what was recorded.
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        self.store
            .after_commit(None, self.pending.into_effects())
            .await
    }
}

impl Deref for ControlTx {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
