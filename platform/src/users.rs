//! A tenant's users as the domain sees them, whatever the entry point (the account itself, an
//! admin, an operator): their lifecycle status (stored as text through sea-orm, so no code
//! compares status strings), the cached lookup of the current user, the last-owner rule and
//! erasure.

use std::sync::Arc;

use sea_orm::entity::prelude::*;

use crate::{
    context::Actor,
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    roles::Role,
    store::{
        Change, TenantScope, TenantTx,
        entities::{
            email_code, mfa_backup_code, mfa_challenge, mfa_totp, refresh_token, reset_token,
            session, user,
        },
    },
};

pub use crate::store::entities::user::UserStatus;

/// Users as `/me` and authorisation see them, by id (see [`current`]).
pub type UsersCache = moka::future::Cache<Uuid, Arc<user::Model>>;

/// The user `user_id` of `scope` as `/me` and authorisation see them, through the users cache
/// (which every committed change to a user drops; see [`crate::store::TenantTx::invalidate`]).
pub async fn current(
    cache: &UsersCache,
    scope: &TenantScope,
    user_id: Uuid,
) -> Result<Arc<user::Model>> {
    if let Some(u) = cache.get(&user_id).await {
        return Ok(u);
    }
    let tx = scope.read().await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&*tx)
        .await?
        .ok_or_else(Error::unauthorized)?;
    tx.commit().await?;
    let u = Arc::new(u);
    cache.insert(user_id, u.clone()).await;
    Ok(u)
}

/// Refuses when `target` is the tenant's only active owner.
pub async fn refuse_last_owner(tx: &TenantTx, target: &user::Model, what: &str) -> Result<()> {
    if target.role != Role::Owner || target.status != UserStatus::Active {
        return Ok(());
    }
    tx.lock("owners").await?;
    let owners = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Owner))
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
    drop_stale_credentials(tx, u).await?;
    erase_factors(tx, u.id).await?;
    user::Entity::delete_by_id(u.id).exec(&**tx).await?;
    tx.invalidate(Change::Sessions {
        ids: sessions.clone(),
    });
    tx.invalidate(Change::User { id: u.id });
    tx.emit(by, &DomainEvent::UserDeleted { user: u.id });
    Ok(sessions)
}

/// Erases every second factor of `user_id` (authenticator, backup codes, pending login
/// challenges): MFA is off, or the account is going away.
pub async fn erase_factors(tx: &TenantTx, user_id: Uuid) -> Result<()> {
    mfa_totp::Entity::delete_by_id(user_id).exec(&**tx).await?;
    drop_backup_codes(tx, user_id).await?;
    mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::UserId.eq(user_id))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// Drops a user's outstanding reset tokens and emailed codes: after a password change or reset,
/// nothing issued before it may still sign in.
pub async fn drop_stale_credentials(tx: &TenantTx, u: &user::Model) -> Result<()> {
    reset_token::Entity::delete_many()
        .filter(reset_token::Column::UserId.eq(u.id))
        .exec(&**tx)
        .await?;
    email_code::Entity::delete_many()
        .filter(email_code::Column::Email.eq(u.email.as_str()))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// Removes every backup code of `user_id`.
pub async fn drop_backup_codes(tx: &TenantTx, user_id: Uuid) -> Result<()> {
    mfa_backup_code::Entity::delete_many()
        .filter(mfa_backup_code::Column::UserId.eq(user_id))
        .exec(&**tx)
        .await?;
    Ok(())
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
