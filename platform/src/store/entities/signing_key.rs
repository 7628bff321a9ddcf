//! Tenant entity: the tenant's Ed25519 signing keys; private halves sealed with the master key.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// PKCS#8 DER of the private key, sealed (AEAD) with the master key, bound to the tenant and kid.
    pub private_sealed: String,
    /// The raw public key, base64url.
    pub public_key: String,
    /// `current` (signs), `previous` (still verifies) or `retired`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
