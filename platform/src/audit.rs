//! The tenant audit log: every security event is appended in the same transaction as its change,
//! with the actor, the client's IP and user agent, and the request id.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    error::Result,
    store::{TenantTx, entities::audit_event},
};

/// Who or what a request came from, as far as the audit log and throttling are concerned.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Who acted.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    /// An end user of the tenant.
    User(Uuid),
    /// A request by someone not (yet) authenticated.
    Anonymous,
    /// The platform itself.
    System,
}

/// One event to record.
#[derive(Debug)]
pub struct Event {
    pub actor: Actor,
    /// A dotted name such as `auth.login`, `session.revoked`.
    pub action: &'static str,
    pub target: Option<(&'static str, String)>,
    pub success: bool,
    /// Event-specific facts; never passwords, codes or tokens.
    pub details: Option<Value>,
}

impl Event {
    /// A successful `action` by `actor`.
    pub fn ok(actor: Actor, action: &'static str) -> Self {
        Self {
            actor,
            action,
            target: None,
            success: true,
            details: None,
        }
    }

    /// A failed `action` by `actor`.
    pub fn failed(actor: Actor, action: &'static str) -> Self {
        Self {
            success: false,
            ..Self::ok(actor, action)
        }
    }

    /// Names the object acted on.
    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    /// Adds details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Appends `event` to the tenant's audit log inside `tx`.
pub async fn record(tx: &TenantTx, meta: &RequestMeta, event: Event) -> Result<()> {
    let (actor_type, actor_id) = match event.actor {
        Actor::User(id) => ("user", Some(id.to_string())),
        Actor::Anonymous => ("anonymous", None),
        Actor::System => ("system", None),
    };
    let (target_type, target_id) = match event.target {
        Some((k, id)) => (Some(k.to_owned()), Some(id)),
        None => (None, None),
    };
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        actor_type: Set(actor_type.into()),
        actor_id: Set(actor_id),
        action: Set(event.action.into()),
        target_type: Set(target_type),
        target_id: Set(target_id),
        outcome: Set(if event.success { "success" } else { "failure" }.into()),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
        request_id: Set(meta.request_id.clone()),
        details: Set(event.details.map(|d| d.to_string())),
    })
    .exec(&**tx)
    .await?;
    Ok(())
}
