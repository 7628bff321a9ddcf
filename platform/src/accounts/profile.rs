//! The signed-in user's own account: display name, password change, their sessions, deletion.

use crate::{accounts::Accounts, context::OpContext};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{hash_password, lockout, notify_password_changed};
use crate::throttle::{self, Cell};
use crate::{
    audit::{self, Actor, Event},
    domain::Password,
    error::{Error, ErrorCode, Result},
    ratelimit::Bucket,
    store::{Change, TenantScope, entities::user},
};

fn wrong_password() -> Error {
    Error::Unauthorized {
        code: ErrorCode::InvalidCredentials,
        message: "the current password is incorrect",
    }
}

/// Checks the caller's current password like a login does: the failure is reserved before
/// the hash (per account in memory and in the stored lockout), and a success gives it back.
pub(crate) async fn check_password(
    acc: &Accounts,
    ctx: &OpContext,
    u: &user::Model,
    raw: &str,
) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let key = format!("{}:{}", scope.tenant_id(), u.email);
    let held = throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[Cell::Tenant(Bucket::LoginAccount, &key)],
    )
    .await?;
    if let Err(e) = throttle::platform_hash_budget(&acc.throttle, meta).await {
        held.refund(&acc.throttle);
        return Err(e);
    }
    let Some(reserved) = lockout::reserve(scope, u.id).await? else {
        return Err(wrong_password());
    };
    let ok = match Password::parse(raw) {
        Ok(p) => {
            acc.hasher
                .verify(&p, u.password_hash.as_deref())
                .await
                .map_err(Error::from)?
                .ok
        }
        Err(_) => false,
    };
    if !ok {
        drop(held);
        return Err(wrong_password());
    }
    let tx = scope.begin().await?;
    let cleared = lockout::clear(&tx, &reserved).await?;
    tx.commit().await?;
    if !cleared {
        return Err(wrong_password());
    }
    held.refund(&acc.throttle);
    Ok(())
}

pub(crate) async fn load(scope: &TenantScope, user_id: Uuid) -> Result<user::Model> {
    let tx = scope.begin().await?;
    let u = user::Entity::find_by_id(user_id).one(&*tx).await?;
    tx.commit().await?;
    u.ok_or_else(Error::unauthorized)
}

/// `PATCH /me`: sets (or clears, with an empty string) the display name.
pub async fn set_name(ctx: &OpContext, user_id: Uuid, name: &str) -> Result<user::Model> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "a name is at most 200 characters, no control characters",
        ));
    }
    let value = (!name.is_empty()).then(|| name.to_owned());
    let tx = scope.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::Name, Expr::value(value))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*tx)
        .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(user_id), "account.updated"),
    )
    .await?;
    tx.invalidate(Change::User { id: user_id });
    let u = user::Entity::find_by_id(user_id)
        .one(&*tx)
        .await?
        .ok_or_else(Error::unauthorized)?;
    tx.commit().await?;
    Ok(u)
}

/// `POST /me/password`: needs the current password; every other session is revoked and a
/// "password changed" notice is emailed. An account without a password (its verification was
/// contested) sets its first one without, from a sign-in within the last 5 minutes.
pub async fn change_password(
    acc: &Accounts,
    ctx: &OpContext,
    user_id: Uuid,
    session_id: Uuid,
    current: Option<&str>,
    new: &str,
) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let new = Password::parse(new).map_err(|e| Error::invalid("new_password", e))?;
    let u = load(scope, user_id).await?;
    super::password_policy(ctx)
        .await?
        .check(&new, Some(&u.email))
        .map_err(|e| super::recovery::rename_field(e, "new_password"))?;
    match (current, &u.password_hash) {
        (Some(current), _) => check_password(acc, ctx, &u, current).await?,
        (None, None) => {
            if !super::reauth::signed_in_recently(scope, user_id, session_id).await? {
                return Err(super::reauth::reauthentication_required());
            }
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                "current_password",
                "the current password is required",
            ));
        }
    }
    throttle::platform_hash_budget(&acc.throttle, meta).await?;
    let hash = hash_password(acc, &new).await?;
    let tenant = ctx.tenant().clone();
    let mut tx = scope.begin().await?;
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*tx)
        .await?;
    let ended = crate::sessions::revoke_all(
        &tx,
        Actor::User(user_id),
        user_id,
        Some(session_id),
        "password_changed",
    )
    .await?;
    crate::users::drop_stale_credentials(&tx, &u).await?;
    notify_password_changed(acc, &mut tx, &tenant, &u, now).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(user_id), "account.password_changed")
            .details(serde_json::json!({ "sessions_revoked": ended.len() })),
    )
    .await?;
    tx.invalidate(Change::User { id: user_id });
    tx.commit().await
}

/// `DELETE /me`: needs the current password; removes the account, its sessions and tokens.
pub async fn delete(acc: &Accounts, ctx: &OpContext, user_id: Uuid, password: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let u = load(scope, user_id).await?;
    check_password(acc, ctx, &u, password).await?;
    let tx = scope.begin().await?;
    // Checked under the owners lock, in the transaction that erases: two owners leaving at
    // once cannot both pass.
    crate::users::refuse_last_owner(&tx, &u, "removed").await?;
    crate::users::erase(&tx, Actor::User(user_id), &u).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(user_id), "account.deleted").target("user", user_id),
    )
    .await?;
    tx.commit().await
}
/// `DELETE /me/sessions/{id}`: ends one of the user's own sessions (`404` when it is not a
/// live session of theirs).
pub async fn revoke_session(ctx: &OpContext, user_id: Uuid, session_id: Uuid) -> Result<()> {
    let tx = ctx.scope().begin().await?;
    let by = Actor::User(user_id);
    if !crate::sessions::revoke(&tx, by, session_id, Some(user_id), "revoked_by_user").await? {
        return Err(Error::NotFound("session"));
    }
    audit::record(
        &tx,
        ctx.meta(),
        Event::ok(by, "session.revoked").target("session", session_id),
    )
    .await?;
    tx.commit().await
}
