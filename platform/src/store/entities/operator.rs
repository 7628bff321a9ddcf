//! Control-plane entity: a platform operator (support staff), always with TOTP.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    /// PHC string (argon2id).
    pub password_hash: String,
    /// `support` or `admin`.
    pub role: String,
    /// `active` or `disabled`.
    pub status: String,
    /// The TOTP secret sealed with the master key, bound to the operator.
    pub totp_sealed: String,
    /// The last TOTP step accepted (each is accepted once).
    pub totp_last_step: Option<i64>,
    pub failed_logins: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
