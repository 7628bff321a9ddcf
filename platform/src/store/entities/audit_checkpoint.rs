//! Tenant entity: where the audit chain resumes after retention pruned older events: the last
//! pruned event's position and hash, signed with a key derived from the master key.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The `seq` of the last pruned event.
    pub seq: i64,
    /// The `hash` of the last pruned event: the next event's `prev_hash`.
    pub hash: String,
    /// How many events this pruning removed.
    pub pruned: i64,
    /// Events older than this were pruned.
    pub pruned_before: DateTimeUtc,
    /// HMAC-SHA256 (hex) of `seq` and `hash` under a master-key-derived key.
    pub signature: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
