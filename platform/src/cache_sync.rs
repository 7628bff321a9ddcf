//! Cross-instance cache invalidation, the receiving side: every instance on PostgreSQL listens
//! for the changes the others publish (see [`crate::store::Notifier`]) and forgets what they
//! changed. Whenever listening stops (the database restarted, the connection dropped), every
//! shared cache is dropped once listening resumes: notifications sent in between are lost.

use std::time::Duration;

use sea_orm::sqlx::{PgPool, postgres::PgListener};

use crate::{
    app::AppState,
    store::{NOTIFY_CHANNEL, NotifyMessage},
};

/// How long to wait before listening again after the connection was lost.
const RETRY: Duration = Duration::from_millis(500);

/// Listens until the task is aborted.
pub async fn listen(state: AppState, pool: PgPool) {
    let origin = state.store.notifier().origin();
    let mut lost = false;
    loop {
        let mut listener = match subscribe(&pool).await {
            Ok(l) => l,
            Err(e) => {
                if !lost {
                    tracing::warn!(error = %e, "cannot listen for other instances' changes");
                }
                lost = true;
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if lost {
            tracing::info!("listening for other instances' changes again");
        }
        // Whatever changed while nobody listened is unknown: start from empty caches.
        state.forget_all_shared();
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => apply(&state, origin, n.payload()).await,
                Ok(None) => {
                    tracing::warn!("lost the connection that listens for other instances");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listening for other instances failed");
                    break;
                }
            }
        }
        lost = true;
        state.forget_all_shared();
        tokio::time::sleep(RETRY).await;
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    Ok(listener)
}

async fn apply(state: &AppState, origin: uuid::Uuid, payload: &str) {
    match serde_json::from_str::<NotifyMessage>(payload) {
        Ok(m) if m.origin == origin => {}
        Ok(m) => {
            tracing::debug!(change = ?m.change, "another instance changed");
            state.apply_change(m.change).await;
        }
        // A newer instance may send changes this one does not know: forget everything.
        Err(e) => {
            tracing::warn!(error = %e, "unreadable change notification; dropping every cache");
            state.forget_all_shared();
        }
    }
}
