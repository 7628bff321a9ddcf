//! Tenant entity: one audit event, appended in the same transaction as the change it records,
//! and linked to the previous one by its hash.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// `user`, `operator`, `system` or `anonymous`.
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// JSON object with event-specific details (never secrets).
    pub details: Option<String>,
    /// Position in the tenant's chain (1, 2, …); `None` only for events written before the
    /// chain existed.
    pub seq: Option<i64>,
    /// The previous event's `hash` (or the checkpoint's, after pruning; empty for the first).
    pub prev_hash: Option<String>,
    /// SHA-256 (hex) of this event's fields and `prev_hash`.
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
