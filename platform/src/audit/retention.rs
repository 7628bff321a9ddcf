//! Audit retention: a tenant's `audit_retention_days` setting prunes older events. The chain
//! stays verifiable: the last pruned event's position and hash become a signed checkpoint where
//! verification resumes, and the pruning itself is an audited event.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Actor, Event, RequestMeta, chain, record};
use crate::{
    error::Result,
    store::{
        TenantScope,
        entities::{audit_checkpoint, audit_event},
    },
};

/// Prunes the events of `scope` that happened before `before`; returns how many went.
pub async fn prune(
    scope: &TenantScope,
    master_key: &[u8; 32],
    before: DateTime<Utc>,
) -> Result<u64> {
    let tx = scope.begin().await?;
    tx.lock("audit").await?;
    // The chain is cut after the newest old event, so everything up to it goes.
    let newest_old = audit_event::Entity::find()
        .filter(audit_event::Column::OccurredAt.lt(before))
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .one(&*tx)
        .await?;
    let mut pruned = audit_event::Entity::delete_many()
        .filter(audit_event::Column::Seq.is_null())
        .filter(audit_event::Column::OccurredAt.lt(before))
        .exec(&*tx)
        .await?
        .rows_affected;
    if let Some(cut) = newest_old {
        let seq = cut.seq.unwrap_or_default();
        let hash = cut.hash.clone().unwrap_or_default();
        let removed = audit_event::Entity::delete_many()
            .filter(audit_event::Column::Seq.lte(seq))
            .exec(&*tx)
            .await?
            .rows_affected;
        pruned += removed;
        audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
            id: Set(Uuid::now_v7()),
            seq: Set(seq),
            signature: Set(chain::sign_checkpoint(
                master_key,
                scope.tenant_id(),
                seq,
                &hash,
            )),
            hash: Set(hash),
            pruned: Set(i64::try_from(removed).unwrap_or(i64::MAX)),
            pruned_before: Set(before),
            created_at: Set(Utc::now()),
        })
        .exec(&*tx)
        .await?;
    }
    if pruned > 0 {
        record(
            &tx,
            &RequestMeta::default(),
            Event::ok(Actor::System, "audit.pruned").details(serde_json::json!({
                "events": pruned,
                "before": before.to_rfc3339(),
            })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(pruned)
}
