//! The unit of work's after-commit effects. A transaction ([`super::TenantTx`],
//! [`super::ControlTx`]) records what its change means beyond its rows: caches to drop here and
//! on the other instances, mail to send, domain event rows, and hooks such as the operators'
//! log entry. Committing applies them (event rows are written just before the commit, in the
//! same transaction); rolling back or dropping the transaction discards them. No code outside
//! this module drops a shared cache or tells another instance: it records a [`Change`] on the
//! transaction that made it. The store knows none of the modules that record here.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use futures::future::BoxFuture;
use uuid::Uuid;

use super::{Change, Store};
use crate::{error::Result, store::entities::domain_event};

/// Something to do once a transaction committed (after its caches were dropped), with the
/// store; its error is the commit's.
pub type Hook = Box<dyn FnOnce(Store) -> BoxFuture<'static, Result<()>> + Send>;

/// The caches of this process that a [`Change`] makes stale. The application registers them
/// once ([`Store::register_caches`]); the same code applies another instance's changes.
pub trait LocalCaches: Send + Sync {
    /// Drops what `change` made stale, in this process only.
    fn forget<'a>(&'a self, change: &'a Change) -> BoxFuture<'a, ()>;
}

/// Where the store finds the registered caches (weakly: the application owns them).
pub(super) type CacheSlot = OnceLock<Weak<dyn LocalCaches>>;

/// What a transaction does once it commits.
#[derive(Default)]
pub(crate) struct Effects {
    changes: Vec<Change>,
    mail_queued: bool,
    events: Vec<domain_event::Model>,
    hooks: Vec<Hook>,
}

impl std::fmt::Debug for Effects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Effects")
            .field("changes", &self.changes)
            .field("mail_queued", &self.mail_queued)
            .field("events", &self.events.len())
            .field("hooks", &self.hooks.len())
            .finish()
    }
}

impl Effects {
    /// Cache changes alone, for a change committed outside a [`super::TenantTx`] or
    /// [`super::ControlTx`] (a restored tenant put in place).
    pub(super) fn of_changes(changes: Vec<Change>) -> Self {
        Self {
            changes,
            ..Self::default()
        }
    }
}

/// The effects of one open transaction; a `&` transaction can record (no lock is held across
/// an await).
#[derive(Debug, Default)]
pub(crate) struct Pending(Mutex<Effects>);

impl Pending {
    fn with<T>(&self, f: impl FnOnce(&mut Effects) -> T) -> T {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    pub(crate) fn change(&self, change: Change) {
        if matches!(&change, Change::Sessions { ids } if ids.is_empty()) {
            return;
        }
        self.with(|e| e.changes.push(change));
    }

    pub(crate) fn mail(&self) {
        self.with(|e| e.mail_queued = true);
    }

    pub(crate) fn event(&self, row: domain_event::Model) {
        self.with(|e| e.events.push(row));
    }

    pub(crate) fn hook(&self, hook: Hook) {
        self.with(|e| e.hooks.push(hook));
    }

    /// The domain events to write before the commit.
    pub(crate) fn take_events(&self) -> Vec<domain_event::Model> {
        self.with(|e| std::mem::take(&mut e.events))
    }

    pub(crate) fn into_effects(self) -> Effects {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Store {
    /// Registers the process's caches, which committed changes drop. Once per store; later
    /// calls are ignored.
    pub fn register_caches(&self, caches: &Arc<dyn LocalCaches>) {
        let _ = self.inner.caches.set(Arc::downgrade(caches));
    }

    /// Applies a committed transaction's effects. Cache and mail failures are logged, not
    /// returned: the change is made; other instances' caches expire on their own, and mail
    /// waits for the sender's next pass. A hook that fails (an operators' log entry that cannot
    /// be written) is an error, as it was when handlers wrote it: the action happened, unlogged.
    pub(crate) async fn after_commit(&self, tenant: Option<Uuid>, effects: Effects) -> Result<()> {
        let local = self.inner.caches.get().and_then(Weak::upgrade);
        for change in effects.changes {
            if let Some(c) = &local {
                c.forget(&change).await;
            }
            self.notifier().publish(change).await;
        }
        if effects.mail_queued
            && let Some(t) = tenant
        {
            self.outbox_signal().wake(t);
        }
        for hook in effects.hooks {
            hook(self.clone()).await?;
        }
        Ok(())
    }
}
