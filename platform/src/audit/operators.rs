//! The operators' own audit log in the control plane: every operator action, with the tenant it
//! touched and the reason the operator gave (the tenant's log records the same action too),
//! hash-chained like the tenants' logs so that an edited or deleted entry is found.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    context::RequestMeta,
    error::{Error, Result},
    store::Store,
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

/// The hex SHA-256 of `row`'s fields and `prev_hash`, in a fixed order as a JSON array (as
/// for the tenants' logs, see [`crate::audit::chain::hash`]).
pub fn hash(row: &operator_audit::Model) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::json!([
        "operators-v1",
        row.seq,
        row.id.to_string(),
        row.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        row.operator_id.map(|o| o.to_string()),
        row.action,
        row.tenant_id.map(|t| t.to_string()),
        row.target_type,
        row.target_id,
        row.outcome,
        row.reason,
        row.ip,
        row.user_agent,
        row.request_id,
        row.details,
        row.prev_hash,
    ]);
    crate::crypto::to_hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

/// Serialises appends to the operators' log until `txn` ends: a transaction-scoped advisory
/// lock on PostgreSQL; on SQLite the transaction already holds the write lock.
async fn lock_log(txn: &sea_orm::DatabaseTransaction) -> Result<()> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(hashtext('platform operator audit'))")
            .await?;
    }
    Ok(())
}

/// Appends `entry` to the operators' log, as the next link of its hash chain: for actions on
/// the control plane alone (an operator's action on a tenant is entered by the tenant's unit of
/// work, see [`crate::audit::record`]).
pub async fn record(store: &Store, meta: &RequestMeta, entry: Entry) -> Result<()> {
    append(store, meta, entry).await
}

/// Appends `entry` to the operators' log in `store`'s control plane.
pub(crate) async fn append(
    store: &crate::store::Store,
    meta: &RequestMeta,
    entry: Entry,
) -> Result<()> {
    use chrono::SubsecRound;
    use sea_orm::TransactionTrait;
    let (target_type, target_id) = match entry.target {
        Some((k, id)) => (Some(k.to_owned()), Some(id)),
        None => (None, None),
    };
    let txn = store
        .control()
        .begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    lock_log(&txn).await?;
    let last = operator_audit::Entity::find()
        .filter(operator_audit::Column::Seq.is_not_null())
        .order_by_desc(operator_audit::Column::Seq)
        .one(&txn)
        .await?;
    let (seq, prev_hash) = last.map_or((1, String::new()), |l| {
        (l.seq.unwrap_or(0) + 1, l.hash.unwrap_or_default())
    });
    let mut row = operator_audit::Model {
        id: Uuid::now_v7(),
        // Stored with microseconds on both backends, so the hash survives the round trip.
        occurred_at: Utc::now().trunc_subsecs(6),
        operator_id: entry.operator_id,
        action: entry.action.to_owned(),
        tenant_id: entry.tenant_id,
        target_type,
        target_id,
        outcome: if entry.success { "success" } else { "failure" }.to_owned(),
        reason: entry.reason,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        request_id: meta.request_id.clone(),
        details: entry.details.map(|d| d.to_string()),
        seq: Some(seq),
        prev_hash: Some(prev_hash),
        hash: None,
    };
    row.hash = Some(hash(&row));
    operator_audit::Entity::insert(operator_audit::ActiveModel::from(row))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks the operators' whole chain, oldest first, and stops at the first break.
pub async fn verify(store: &Store) -> Result<crate::audit::chain::Report> {
    use crate::audit::chain::{BATCH, Link, Report, Walk};
    use sea_orm::{PaginatorTrait, TransactionTrait};
    let txn = store.control().begin().await?;
    // Appends wait while the chain is read, so it is read whole.
    lock_log(&txn).await?;
    let unchained = operator_audit::Entity::find()
        .filter(operator_audit::Column::Seq.is_null())
        .count(&txn)
        .await?;
    let report = Report {
        events: 0,
        unchained,
        checkpoint_seq: None,
        last_seq: None,
        broken: None,
    };
    let mut walk = Walk::new(1, String::new(), report);
    let mut after = 0;
    loop {
        let batch = operator_audit::Entity::find()
            .filter(operator_audit::Column::Seq.gt(after))
            .order_by_asc(operator_audit::Column::Seq)
            .limit(BATCH)
            .all(&txn)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq.unwrap_or(after);
        for row in &batch {
            let link = Link {
                seq: row.seq.unwrap_or_default(),
                id: row.id,
                prev_hash: row.prev_hash.as_deref(),
                hash: row.hash.as_deref(),
                computed: hash(row),
            };
            if !walk.step(&link) {
                txn.commit().await?;
                return Ok(walk.report);
            }
        }
    }
    txn.commit().await?;
    Ok(walk.report)
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
    store: &Store,
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
        .all(store.control())
        .await?;
    Ok(crate::paging::split(rows, limit, |e| e.id))
}
