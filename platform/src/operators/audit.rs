//! The operators' own audit log in the control plane: every operator action, with the tenant it
//! touched and the reason the operator gave (the tenant's log records the same action too).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    app::AppState,
    audit::RequestMeta,
    error::{Error, Result},
    store::entities::operator_audit,
};

/// One entry to record.
#[derive(Debug)]
pub struct Entry {
    pub operator_id: Option<Uuid>,
    pub action: &'static str,
    pub tenant_id: Option<Uuid>,
    pub target: Option<(&'static str, String)>,
    pub success: bool,
    pub reason: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl Entry {
    /// A successful `action` by `operator_id` (`None`: the platform's own command line).
    pub fn new(operator_id: Option<Uuid>, action: &'static str) -> Self {
        Self {
            operator_id,
            action,
            tenant_id: None,
            target: None,
            success: true,
            reason: None,
            details: None,
        }
    }

    /// A failed `action`.
    pub fn failed(operator_id: Option<Uuid>, action: &'static str) -> Self {
        Self {
            success: false,
            ..Self::new(operator_id, action)
        }
    }

    pub fn tenant(mut self, id: Uuid) -> Self {
        self.tenant_id = Some(id);
        self
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    pub fn reason(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_owned);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// A reason as an operator typed it: trimmed, at most 500 characters, no control characters.
pub fn parse_reason(raw: Option<&str>) -> Result<Option<String>> {
    let Some(r) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if r.chars().count() > 500 || r.chars().any(char::is_control) {
        return Err(Error::invalid(
            "reason",
            "a reason is at most 500 characters, on one line",
        ));
    }
    Ok(Some(r.to_owned()))
}

/// Appends `entry` to the operators' log.
pub async fn record(state: &AppState, meta: &RequestMeta, entry: Entry) -> Result<()> {
    let (target_type, target_id) = match entry.target {
        Some((k, id)) => (Some(k.to_owned()), Some(id)),
        None => (None, None),
    };
    operator_audit::Entity::insert(operator_audit::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        operator_id: Set(entry.operator_id),
        action: Set(entry.action.to_owned()),
        tenant_id: Set(entry.tenant_id),
        target_type: Set(target_type),
        target_id: Set(target_id),
        outcome: Set(if entry.success { "success" } else { "failure" }.to_owned()),
        reason: Set(entry.reason),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
        request_id: Set(meta.request_id.clone()),
        details: Set(entry.details.map(|d| d.to_string())),
    })
    .exec(state.store.control())
    .await?;
    Ok(())
}

/// Which entries to read.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub operator_id: Option<Uuid>,
    pub tenant_id: Option<Uuid>,
    /// Exact, or a prefix ending in `.`.
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// A page of the operators' log, newest first.
pub async fn list(
    state: &AppState,
    f: &Filter,
) -> Result<(Vec<operator_audit::Model>, Option<String>)> {
    let limit = crate::paging::limit(f.limit)?;
    let mut q = operator_audit::Entity::find();
    if let Some(o) = f.operator_id {
        q = q.filter(operator_audit::Column::OperatorId.eq(o));
    }
    if let Some(t) = f.tenant_id {
        q = q.filter(operator_audit::Column::TenantId.eq(t));
    }
    if let Some(a) = f.action.as_deref() {
        q = if a.ends_with('.') {
            q.filter(operator_audit::Column::Action.starts_with(a))
        } else {
            q.filter(operator_audit::Column::Action.eq(a))
        };
    }
    if let Some(s) = f.since {
        q = q.filter(operator_audit::Column::OccurredAt.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(operator_audit::Column::OccurredAt.lt(u));
    }
    if let Some(id) = crate::paging::cursor(f.cursor.as_deref())? {
        q = q.filter(operator_audit::Column::Id.lt(id));
    }
    let rows = q
        .order_by_desc(operator_audit::Column::Id)
        .limit(limit + 1)
        .all(state.store.control())
        .await?;
    Ok(crate::paging::split(rows, limit, |e| e.id))
}
