//! Tenant entity: a tenant's end user (email unique, lower-cased).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    /// Display name, if the user set one.
    pub name: Option<String>,
    /// PHC string (argon2id); `None` until a password is set.
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub role: crate::roles::Role,
    pub email_verified_at: Option<DateTimeUtc>,
    /// Consecutive failed password logins (reset on success).
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    /// Whether a confirmed second factor (TOTP) protects the account.
    pub mfa_enabled: bool,
    /// While pending: the password (PHC string) every registration of the address chose, to
    /// apply when the emailed code is entered; `None` once registrations disagreed.
    pub pending_password_hash: Option<String>,
    /// While pending: registrations of the address chose different passwords, so verifying
    /// sets none (only the mailbox's owner, holding the code, chooses one).
    pub registration_contested: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Where an account is in its life: `pending` (email not verified), `active` or `disabled`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum UserStatus {
    /// Registered; the email address is not verified yet.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Verified (or invited and accepted): signs in.
    #[sea_orm(string_value = "active")]
    Active,
    /// Disabled by an admin: signs in nowhere.
    #[sea_orm(string_value = "disabled")]
    Disabled,
}

impl UserStatus {
    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// A status named by a client (`None` for any other text).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

impl std::fmt::Display for UserStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
