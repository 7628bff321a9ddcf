//! Tenant entity: one domain event (see [`crate::events`]), written in the same transaction as
//! the change it reports.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// UUIDv7: time-ordered.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// A dotted name such as `user.created`.
    #[sea_orm(column_name = "type")]
    pub kind: String,
    /// The envelope version the row was written with.
    pub version: i32,
    pub occurred_at: DateTimeUtc,
    /// `user`, `operator`, `system` or `anonymous`.
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    /// JSON object with the event's data (never secrets).
    pub data: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
