//! A tenant's users as the domain sees them, whatever the entry point (the account itself, an
//! admin, an operator): their lifecycle status (stored as text through sea-orm, so no code
//! compares status strings), the cached lookup of the current user, the last-owner rule and
//! erasure.

use std::sync::Arc;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    app::AppState,
    audit::Actor,
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    store::{
        Change, TenantScope, TenantTx,
        entities::{email_code, refresh_token, reset_token, session, user},
    },
};

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

/// The user `user_id` of `scope` as `/me` and authorisation see them, through the users cache
/// (which every committed change to a user drops; see [`crate::store::TenantTx::invalidate`]).
pub async fn current(
    state: &AppState,
    scope: &TenantScope,
    user_id: Uuid,
) -> Result<Arc<user::Model>> {
    if let Some(u) = state.users.get(&user_id).await {
        return Ok(u);
    }
    let tx = scope.read().await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&*tx)
        .await?
        .ok_or_else(Error::unauthorized)?;
    tx.commit().await?;
    let u = Arc::new(u);
    state.users.insert(user_id, u.clone()).await;
    Ok(u)
}

/// Refuses when `target` is the tenant's only active owner.
pub async fn refuse_last_owner(tx: &TenantTx, target: &user::Model, what: &str) -> Result<()> {
    if target.role != "owner" || target.status != UserStatus::Active {
        return Ok(());
    }
    tx.lock("owners").await?;
    let owners = user::Entity::find()
        .filter(user::Column::Role.eq("owner"))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .count(&**tx)
        .await?;
    if owners <= 1 {
        return Err(Error::Conflict {
            code: ErrorCode::LastOwner,
            message: format!("the tenant's last owner cannot be {what}"),
        });
    }
    Ok(())
}

/// Removes `u` and everything that belongs to them (sessions, refresh and reset tokens, codes,
/// second factors) inside `tx`, on behalf of `by`; returns the sessions removed. Once `tx`
/// commits, the user and their sessions are gone from every instance's caches and a
/// `user.deleted` event is written. The audit log keeps their events.
pub async fn erase(tx: &TenantTx, by: Actor, u: &user::Model) -> Result<Vec<Uuid>> {
    let sessions: Vec<Uuid> = session::Entity::find()
        .filter(session::Column::UserId.eq(u.id))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::SessionId.is_in(sessions.clone()))
        .exec(&**tx)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(u.id))
        .exec(&**tx)
        .await?;
    reset_token::Entity::delete_many()
        .filter(reset_token::Column::UserId.eq(u.id))
        .exec(&**tx)
        .await?;
    email_code::Entity::delete_many()
        .filter(email_code::Column::Email.eq(u.email.as_str()))
        .exec(&**tx)
        .await?;
    crate::mfa::factors::erase_all(tx, u.id).await?;
    user::Entity::delete_by_id(u.id).exec(&**tx).await?;
    tx.invalidate(Change::Sessions {
        ids: sessions.clone(),
    });
    tx.invalidate(Change::User { id: u.id });
    tx.emit(by, &DomainEvent::UserDeleted { user: u.id });
    Ok(sessions)
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
