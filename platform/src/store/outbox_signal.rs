//! Wakes the mail sender for the tenants whose transactions just queued mail.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use tokio::sync::Notify;
use uuid::Uuid;

/// A set of tenants with fresh mail, and a notifier for the sender waiting on it.
#[derive(Clone, Debug, Default)]
pub struct OutboxSignal {
    inner: Arc<(Mutex<HashSet<Uuid>>, Notify)>,
}

impl OutboxSignal {
    /// Marks a tenant as having fresh mail and wakes the sender.
    pub fn wake(&self, tenant_id: Uuid) {
        if let Ok(mut set) = self.inner.0.lock() {
            set.insert(tenant_id);
        }
        self.inner.1.notify_one();
    }

    /// Takes the tenants marked since the last call.
    pub fn take(&self) -> HashSet<Uuid> {
        self.inner
            .0
            .lock()
            .map(|mut set| std::mem::take(&mut *set))
            .unwrap_or_default()
    }

    /// Waits until some tenant is marked.
    pub async fn notified(&self) {
        self.inner.1.notified().await;
    }
}
