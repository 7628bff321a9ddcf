//! Tenant entity: a user's TOTP authenticator: the sealed secret, whether enrolment was
//! confirmed, and the last time step accepted (a step is accepted once).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_totp")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The 160-bit secret sealed with the master key, bound to the tenant and user.
    pub secret_sealed: String,
    /// `None` while enrolment waits for its first code.
    pub confirmed_at: Option<DateTimeUtc>,
    /// The last 30-second step whose code was accepted; older or equal steps are refused.
    pub last_used_step: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
