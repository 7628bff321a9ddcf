//! Reading a tenant's audit log: filtered pages, newest first, with an opaque cursor; and the
//! whole log as JSON lines, oldest first, for export.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    authz::{AuditRead, Granted},
    error::{Error, Result},
    store::{TenantTx, entities::audit_event},
};

/// What to read.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// The actor's id (a user or operator id), or `system` / `anonymous`.
    pub actor: Option<String>,
    /// An exact action (`auth.login`) or a prefix ending in `.` (`auth.`).
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// One page, and the cursor of the next (absent on the last page).
#[derive(Debug)]
pub struct Page {
    pub items: Vec<audit_event::Model>,
    pub next_cursor: Option<String>,
}

fn bad(field: &'static str, message: &str) -> Error {
    Error::invalid(field, message)
}

/// A page of the log of `scope`, newest first.
pub async fn list(granted: &Granted<AuditRead>, f: &Filter) -> Result<Page> {
    let scope = granted.scope();
    let limit = crate::paging::limit(f.limit)?;
    let mut q = audit_event::Entity::find();
    if let Some(a) = f.actor.as_deref() {
        q = match a {
            "system" | "anonymous" => q.filter(audit_event::Column::ActorType.eq(a)),
            id => {
                let id = Uuid::parse_str(id).map_err(|_| {
                    bad(
                        "actor",
                        "actor is a user or operator id, `system` or `anonymous`",
                    )
                })?;
                q.filter(audit_event::Column::ActorId.eq(id.to_string()))
            }
        };
    }
    if let Some(a) = f.action.as_deref() {
        if a.len() > 100
            || !a
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
        {
            return Err(bad(
                "action",
                "action is a dotted name such as auth.login or a prefix such as auth.",
            ));
        }
        q = if a.ends_with('.') {
            q.filter(audit_event::Column::Action.starts_with(a))
        } else {
            q.filter(audit_event::Column::Action.eq(a))
        };
    }
    if let (Some(s), Some(u)) = (f.since, f.until)
        && s > u
    {
        return Err(bad("since", "since must not be after until"));
    }
    if let Some(s) = f.since {
        q = q.filter(audit_event::Column::OccurredAt.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(audit_event::Column::OccurredAt.lt(u));
    }
    if let Some(id) = crate::paging::cursor(f.cursor.as_deref())? {
        q = q.filter(audit_event::Column::Id.lt(id));
    }
    let tx = scope.read().await?;
    let rows = q
        .order_by_desc(audit_event::Column::Id)
        .limit(limit + 1)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    let (items, next_cursor) = crate::paging::split(rows, limit, |e| e.id);
    Ok(Page { items, next_cursor })
}

/// Writes every event of the tenant of `tx` to `out` as JSON lines, oldest first (unchained
/// events from before the chain first); returns how many.
pub async fn export(tx: &TenantTx, out: &mut (dyn std::io::Write + Send)) -> anyhow::Result<u64> {
    use anyhow::Context;
    let mut written = 0u64;
    let legacy = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.is_null())
        .order_by_asc(audit_event::Column::Id)
        .all(&**tx)
        .await
        .context("reading unchained audit events")?;
    let mut write = |e: &audit_event::Model| -> anyhow::Result<()> {
        serde_json::to_writer(&mut *out, &json(e)).context("writing an event")?;
        out.write_all(b"\n").context("writing an event")?;
        written += 1;
        Ok(())
    };
    for e in &legacy {
        write(e)?;
    }
    let mut after = i64::MIN;
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(super::chain::BATCH)
            .all(&**tx)
            .await
            .context("reading audit events")?;
        let Some(last) = batch.last() else { break };
        after = last.seq.unwrap_or(after);
        for e in &batch {
            write(e)?;
        }
    }
    out.flush().context("flushing the export")?;
    Ok(written)
}

/// One event as a JSON object (details parsed back into JSON).
pub fn json(e: &audit_event::Model) -> serde_json::Value {
    serde_json::json!({
        "id": e.id.to_string(),
        "seq": e.seq,
        "occurred_at": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_type": e.actor_type,
        "actor_id": e.actor_id,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "outcome": e.outcome,
        "ip": e.ip,
        "user_agent": e.user_agent,
        "request_id": e.request_id,
        "details": e.details.as_deref().and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok()),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    })
}
