//! A tenant's users as the domain sees them: their lifecycle status, stored as text through
//! sea-orm (so no code compares status strings).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an account is in its life.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn a_status_is_stored_and_parsed_as_its_name() {
        for s in UserStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(UserStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(UserStatus::parse("Active"), None);
    }
}
