//! Cross-instance cache invalidation, the sending side: after a change commits, the instance that
//! made it tells every other instance on the same PostgreSQL what to forget (`NOTIFY`). SQLite
//! runs one instance per data directory, so there it does nothing.

use sea_orm::sqlx::PgPool;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The channel every instance listens on.
pub const CHANNEL: &str = "platform_cache";

/// Session ids per message: a notification's payload is limited to 8,000 bytes.
const SESSIONS_PER_MESSAGE: usize = 100;

/// Something cached that another instance changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Tenant sessions that were revoked.
    Sessions { ids: Vec<Uuid> },
    /// A tenant user whose role, status or profile changed.
    User { id: Uuid },
    /// A tenant's registry row (status, name) or its existence.
    Tenant { id: Uuid, slug: String },
    /// A tenant's signing keys (a rotation).
    Keys { tenant: Uuid },
    /// A tenant's settings.
    Settings { tenant: Uuid },
    /// An operator session (signed out or the operator disabled).
    OperatorSession { id: Uuid },
}

/// What travels in one notification: the change and the instance it came from.
#[derive(Debug, Serialize, Deserialize)]
pub struct Message {
    pub origin: Uuid,
    #[serde(flatten)]
    pub change: Change,
}

/// Publishes changes to the other instances; cheap to clone.
#[derive(Clone, Debug)]
pub struct Notifier {
    pool: Option<PgPool>,
    origin: Uuid,
}

impl Default for Notifier {
    /// A notifier that tells nobody (SQLite, unit tests).
    fn default() -> Self {
        Self {
            pool: None,
            origin: Uuid::new_v4(),
        }
    }
}

impl Notifier {
    /// A notifier over PostgreSQL.
    pub fn postgres(pool: PgPool) -> Self {
        Self {
            pool: Some(pool),
            ..Self::default()
        }
    }

    /// This instance's id: messages carrying it are its own.
    pub fn origin(&self) -> Uuid {
        self.origin
    }

    /// Tells the other instances; call after the change commits. A failure is logged, not
    /// returned: the change is made, and the other instances' caches expire on their own.
    pub(super) async fn publish(&self, change: Change) {
        let Some(pool) = &self.pool else { return };
        for payload in self.payloads(change) {
            let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(pool)
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not notify other instances of a change");
            }
        }
    }

    /// The change as notification payloads, split to stay under the size limit.
    fn payloads(&self, change: Change) -> Vec<String> {
        let changes = match change {
            Change::Sessions { ids } if ids.len() > SESSIONS_PER_MESSAGE => ids
                .chunks(SESSIONS_PER_MESSAGE)
                .map(|c| Change::Sessions { ids: c.to_vec() })
                .collect(),
            Change::Sessions { ids } if ids.is_empty() => Vec::new(),
            other => vec![other],
        };
        changes
            .into_iter()
            .filter_map(|change| {
                serde_json::to_string(&Message {
                    origin: self.origin,
                    change,
                })
                .ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_session_lists_are_split_under_the_payload_limit() {
        let n = Notifier::default();
        let ids: Vec<Uuid> = (0..250).map(|_| Uuid::now_v7()).collect();
        let payloads = n.payloads(Change::Sessions { ids: ids.clone() });
        assert_eq!(payloads.len(), 3);
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() < 8000, "{} bytes", p.len());
            let m: Message = serde_json::from_str(p).expect("parses");
            assert_eq!(m.origin, n.origin());
            let Change::Sessions { ids } = m.change else {
                panic!("not sessions")
            };
            back.extend(ids);
        }
        assert_eq!(back, ids);
    }

    #[test]
    fn nothing_is_sent_for_no_sessions() {
        let n = Notifier::default();
        assert!(n.payloads(Change::Sessions { ids: vec![] }).is_empty());
    }

    #[test]
    fn every_change_round_trips() {
        let id = Uuid::now_v7();
        for change in [
            Change::User { id },
            Change::Tenant {
                id,
                slug: "acme".into(),
            },
            Change::Keys { tenant: id },
            Change::Settings { tenant: id },
            Change::OperatorSession { id },
        ] {
            let p = Notifier::default().payloads(change.clone());
            let m: Message = serde_json::from_str(&p[0]).expect("parses");
            assert_eq!(m.change, change);
        }
    }
}
