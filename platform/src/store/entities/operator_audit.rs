//! Control-plane entity: one action of an operator (the platform's own audit log).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operator_audit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// `None` for the platform itself (the CLI).
    pub operator_id: Option<Uuid>,
    pub action: String,
    /// The tenant acted on, if any.
    pub tenant_id: Option<Uuid>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// Why, in the operator's words.
    pub reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub details: Option<String>,
    /// Position in the hash chain (`None` for entries older than the chain).
    pub seq: Option<i64>,
    /// The previous entry's `hash` (empty for the first).
    pub prev_hash: Option<String>,
    /// SHA-256 of this entry's fields and `prev_hash`.
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
