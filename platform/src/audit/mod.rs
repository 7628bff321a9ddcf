//! The tenant audit log: every security event is appended in the same transaction as its change,
//! with the actor, the client's IP and user agent, and the request id, and chained to the
//! previous event by its hash ([`chain`]). [`query`] reads it, [`retention`] prunes it.

pub mod chain;
pub mod operators;
pub mod query;
pub mod retention;

use chrono::{SubsecRound, Utc};
use sea_orm::EntityTrait;
use serde_json::Value;
use uuid::Uuid;

use self::operators::Entry;
use crate::{
    error::Result,
    store::{TenantTx, entities::audit_event},
};

pub use crate::context::{Actor, RequestMeta};

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
    /// Why, in the words of the operator or admin who acted (stored in `details.reason`).
    pub reason: Option<String>,
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
            reason: None,
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

    /// Adds the actor's reason, if they gave one.
    pub fn reason(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_owned);
        self
    }

    /// Adds details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Appends `event` to the tenant's audit log inside `tx`, as the next link of the chain. An
/// operator's action is also entered in the operators' log once `tx` commits (by the unit of
/// work: no handler writes it by hand).
pub async fn record(tx: &TenantTx, meta: &RequestMeta, event: Event) -> Result<()> {
    if let Actor::Operator(op) = event.actor {
        let mut entry = if event.success {
            Entry::new(Some(op), event.action)
        } else {
            Entry::failed(Some(op), event.action)
        }
        .tenant(tx.tenant_id())
        .reason(event.reason.as_deref());
        entry.target = Some(
            event
                .target
                .clone()
                .unwrap_or(("tenant", tx.tenant_id().to_string())),
        );
        entry.details = event.details.clone();
        let meta = meta.clone();
        tx.on_commit(Box::new(move |store| {
            Box::pin(async move { self::operators::append(&store, &meta, entry).await })
        }));
    }
    let (actor_type, actor_id) = event.actor.parts();
    let (target_type, target_id) = match event.target {
        Some((k, id)) => (Some(k.to_owned()), Some(id)),
        None => (None, None),
    };
    // Appends are serialised per tenant so the chain never forks (the unique `seq` would
    // refuse a fork anyway); the lock is held only until this transaction ends.
    tx.lock("audit").await?;
    let (seq, prev_hash) = chain::next_link(tx).await?;
    let mut row = audit_event::Model {
        id: Uuid::now_v7(),
        // Stored with microseconds on both backends, so the hash survives the round trip.
        occurred_at: Utc::now().trunc_subsecs(6),
        actor_type: actor_type.into(),
        actor_id,
        action: event.action.into(),
        target_type,
        target_id,
        outcome: if event.success { "success" } else { "failure" }.into(),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        request_id: meta.request_id.clone(),
        details: match (event.details, event.reason) {
            (Some(Value::Object(mut m)), Some(r)) => {
                m.insert("reason".into(), Value::String(r));
                Some(Value::Object(m).to_string())
            }
            (None, Some(r)) => Some(serde_json::json!({ "reason": r }).to_string()),
            (d, _) => d.map(|d| d.to_string()),
        },
        seq: Some(seq),
        prev_hash: Some(prev_hash),
        hash: None,
    };
    row.hash = Some(chain::hash(&row));
    audit_event::Entity::insert(audit_event::ActiveModel::from(row))
        .exec(&**tx)
        .await?;
    Ok(())
}
