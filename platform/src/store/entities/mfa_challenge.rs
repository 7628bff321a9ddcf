//! Tenant entity: a login that passed its first factor and waits for the second (the
//! `mfa_token`, stored hashed): short-lived, single use, with a bounded number of attempts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_challenges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub token_hash: String,
    pub user_id: Uuid,
    /// The first factor, as a JSON array (`["pwd"]` or `["otp"]`).
    pub amr: String,
    /// The second factors offered, as a JSON array.
    pub methods: String,
    /// Whether the login asked for cookie mode.
    pub cookie: bool,
    pub attempts: i32,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
