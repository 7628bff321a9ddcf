//! Domain events: what happened to a tenant's users, sessions, members and settings, recorded on
//! the unit of work ([`crate::store::TenantTx::emit`]) and written to the tenant's `events`
//! table in the same transaction as the change, so an event exists exactly when its change
//! committed. Webhooks and other consumers read them in the versioned [`Envelope`].

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    context::Actor,
    error::Result,
    store::{
        TenantScope, TenantTx,
        entities::{domain_event, user::UserStatus},
    },
};

/// The envelope version written today. A consumer reads `version` first; a change that is not
/// purely additive gets a new version.
pub const ENVELOPE_VERSION: i32 = 1;

/// Days an event is kept: long enough for a consumer that was down for weeks to catch up,
/// short enough that the table stays small. Pruned hourly ([`prune`]).
pub const RETENTION_DAYS: i64 = 30;

/// Something that happened, with its own data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainEvent {
    /// An account was created: by registration (`pending`) or by accepting an invitation.
    UserCreated {
        user: Uuid,
        email: String,
        status: UserStatus,
    },
    /// An account's email address was verified (it became `active`).
    UserVerified { user: Uuid },
    /// An account was deleted, by its owner or an admin.
    UserDeleted { user: Uuid },
    /// A session began (a sign-in).
    SessionCreated { session: Uuid, user: Uuid },
    /// A session was ended before its time.
    SessionRevoked { session: Uuid, reason: String },
    /// A member's role changed.
    MemberRoleChanged {
        user: Uuid,
        from: String,
        to: String,
    },
    /// A member was disabled or enabled again.
    MemberStatusChanged {
        user: Uuid,
        from: String,
        to: String,
    },
    /// A user's second factor was turned on or off.
    MfaChanged { user: Uuid, enabled: bool },
    /// The tenant's settings changed; `keys` names the settings that were written.
    SettingsChanged { keys: Vec<String> },
}

impl DomainEvent {
    /// The event's type, as consumers filter on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::UserCreated { .. } => "user.created",
            Self::UserVerified { .. } => "user.verified",
            Self::UserDeleted { .. } => "user.deleted",
            Self::SessionCreated { .. } => "session.created",
            Self::SessionRevoked { .. } => "session.revoked",
            Self::MemberRoleChanged { .. } => "member.role_changed",
            Self::MemberStatusChanged { .. } => "member.status_changed",
            Self::MfaChanged { .. } => "user.mfa_changed",
            Self::SettingsChanged { .. } => "settings.changed",
        }
    }

    /// What the event is about.
    pub fn subject(&self) -> Option<(&'static str, Uuid)> {
        match self {
            Self::UserCreated { user, .. }
            | Self::UserVerified { user }
            | Self::UserDeleted { user }
            | Self::MemberRoleChanged { user, .. }
            | Self::MemberStatusChanged { user, .. }
            | Self::MfaChanged { user, .. } => Some(("user", *user)),
            Self::SessionCreated { session, .. } | Self::SessionRevoked { session, .. } => {
                Some(("session", *session))
            }
            Self::SettingsChanged { .. } => None,
        }
    }

    /// The event's own data (the subject is in the envelope).
    pub fn data(&self) -> Value {
        match self {
            Self::UserCreated { email, status, .. } => {
                json!({ "email": email, "status": status.as_str() })
            }
            Self::UserVerified { .. } | Self::UserDeleted { .. } => json!({}),
            Self::SessionCreated { user, .. } => json!({ "user_id": user }),
            Self::SessionRevoked { reason, .. } => json!({ "reason": reason }),
            Self::MemberRoleChanged { from, to, .. }
            | Self::MemberStatusChanged { from, to, .. } => {
                json!({ "from": from, "to": to })
            }
            Self::MfaChanged { enabled, .. } => json!({ "enabled": enabled }),
            Self::SettingsChanged { keys } => json!({ "keys": keys }),
        }
    }

    /// The row that records this event by `actor`, now.
    pub(crate) fn row(&self, actor: Actor) -> domain_event::Model {
        let (actor_type, actor_id) = actor.parts();
        let (subject_type, subject_id) = match self.subject() {
            Some((k, id)) => (Some(k.to_owned()), Some(id.to_string())),
            None => (None, None),
        };
        domain_event::Model {
            id: Uuid::now_v7(),
            kind: self.kind().to_owned(),
            version: ENVELOPE_VERSION,
            occurred_at: Utc::now().trunc_subsecs(6),
            actor_type: actor_type.to_owned(),
            actor_id,
            subject_type,
            subject_id,
            data: self.data().to_string(),
        }
    }
}

/// Who or what caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvelopeActor {
    /// `user`, `operator`, `system` or `anonymous`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
}

/// What an event is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvelopeSubject {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// An event as consumers receive it (version [`ENVELOPE_VERSION`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Envelope {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i32,
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: Uuid,
    pub actor: EnvelopeActor,
    pub subject: Option<EnvelopeSubject>,
    pub data: Value,
}

impl Envelope {
    /// The envelope of a stored event of tenant `tenant_id`.
    pub fn of(tenant_id: Uuid, row: &domain_event::Model) -> Self {
        Self {
            id: row.id,
            kind: row.kind.clone(),
            version: row.version,
            occurred_at: row.occurred_at,
            tenant_id,
            actor: EnvelopeActor {
                kind: row.actor_type.clone(),
                id: row.actor_id.clone(),
            },
            subject: match (&row.subject_type, &row.subject_id) {
                (Some(k), Some(id)) => Some(EnvelopeSubject {
                    kind: k.clone(),
                    id: id.clone(),
                }),
                _ => None,
            },
            data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        }
    }
}

/// The tenant's events after `after` (oldest first, at most `limit`): how a consumer follows
/// the table.
pub async fn after(scope: &TenantScope, after: Option<Uuid>, limit: u64) -> Result<Vec<Envelope>> {
    let tx = scope.read().await?;
    let mut q = domain_event::Entity::find();
    if let Some(a) = after {
        q = q.filter(domain_event::Column::Id.gt(a));
    }
    let rows = q
        .order_by_asc(domain_event::Column::Id)
        .limit(limit)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(|r| Envelope::of(scope.tenant_id(), r))
        .collect())
}

/// Deletes `scope`'s events that happened before `before`; returns how many went.
pub async fn prune(scope: &TenantScope, before: DateTime<Utc>) -> Result<u64> {
    let tx = scope.begin().await?;
    let gone = domain_event::Entity::delete_many()
        .filter(domain_event::Column::OccurredAt.lt(before))
        .exec(&*tx)
        .await?
        .rows_affected;
    tx.commit().await?;
    Ok(gone)
}

impl TenantTx {
    /// Records domain event `event` by `actor`: written in this transaction, just before it
    /// commits; a rollback writes nothing.
    pub fn emit(&self, actor: Actor, event: &DomainEvent) {
        self.record_event(event.row(actor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_carries_type_version_tenant_actor_subject_and_data() {
        let user = Uuid::now_v7();
        let tenant = Uuid::now_v7();
        let ev = DomainEvent::MemberRoleChanged {
            user,
            from: "member".into(),
            to: "admin".into(),
        };
        let row = ev.row(Actor::Operator(user));
        let env = serde_json::to_value(Envelope::of(tenant, &row)).expect("json");
        assert_eq!(env["type"], "member.role_changed");
        assert_eq!(env["version"], ENVELOPE_VERSION);
        assert_eq!(env["tenant_id"], tenant.to_string());
        assert_eq!(
            env["actor"],
            json!({ "type": "operator", "id": user.to_string() })
        );
        assert_eq!(
            env["subject"],
            json!({ "type": "user", "id": user.to_string() })
        );
        assert_eq!(env["data"], json!({ "from": "member", "to": "admin" }));
    }

    #[test]
    fn settings_events_have_no_subject() {
        let row = DomainEvent::SettingsChanged {
            keys: vec!["locale".into()],
        }
        .row(Actor::System);
        let env = Envelope::of(Uuid::nil(), &row);
        assert_eq!(env.subject, None);
        assert_eq!(env.actor.kind, "system");
        assert_eq!(env.data, json!({ "keys": ["locale"] }));
    }
}
