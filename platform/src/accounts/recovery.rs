//! Forgotten passwords: an emailed single-use reset token (256-bit, hashed, 30 minutes); a reset
//! revokes every session of the user and emails a "password changed" notice.

use crate::throttle;
use crate::{accounts::Accounts, context::OpContext, mail::Mailer};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{find_user, hash_password, ip_key, notify_password_changed};
use crate::{
    audit::{self, Actor, Event},
    crypto::codes::{new_opaque_token, token_hash},
    domain::{EmailAddress, Password},
    error::{Error, Result},
    ratelimit::Bucket,
    store::entities::{reset_token, user},
    users::UserStatus,
};

/// Minutes a reset token stays valid.
pub const RESET_MINUTES: i64 = 30;

/// `POST /auth/password/forgot`: emails a reset link to an active account (202 either way).
pub async fn forgot(acc: &Accounts, ctx: &OpContext, email: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(&acc.throttle, scope, Bucket::ForgotIp, &ip_key(scope, meta)).await?;
    // A victim must not be flooded with reset emails; over the limit, drop it silently.
    let key = super::account_key(scope, email.as_str());
    if throttle::over_quietly(&acc.throttle, scope, Bucket::CodeSendAccount, &key).await {
        return Ok(());
    }
    let tenant = ctx.tenant().clone();
    let mut tx = scope.begin().await?;
    let Some(u) = find_user(&tx, &email)
        .await?
        .filter(|u| u.status == UserStatus::Active)
    else {
        audit::record(
            &tx,
            meta,
            Event::failed(Actor::Anonymous, "auth.password_reset_requested"),
        )
        .await?;
        return tx.commit().await;
    };
    send_reset_link(&acc.mailer, &mut tx, &tenant, &u).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.password_reset_requested"),
    )
    .await?;
    tx.commit().await
}

/// `POST /auth/password/reset`: sets a new password with an emailed token; ends every session.
pub async fn reset(acc: &Accounts, ctx: &OpContext, token: &str, new_password: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    throttle::every_attempt(&acc.throttle, scope, Bucket::ResetIp, &ip_key(scope, meta)).await?;
    let invalid = || Error::Invalid {
        field: crate::error::Field::Body("token"),
        message: "the reset token is invalid, used or expired".into(),
    };
    if token.is_empty() || token.len() > 128 {
        return Err(invalid());
    }
    let password = Password::parse(new_password).map_err(|e| Error::invalid("new_password", e))?;
    super::password_policy(ctx)
        .await?
        .check(&password, None)
        .map_err(|e| rename_field(e, "new_password"))?;
    throttle::platform_hash_budget(&acc.throttle, meta).await?;
    let hash = hash_password(acc, &password).await?;
    let tenant = ctx.tenant().clone();
    let mut tx = scope.begin().await?;
    let now = Utc::now();
    let Some(row) = reset_token::Entity::find()
        .filter(reset_token::Column::TokenHash.eq(token_hash(token)))
        .filter(reset_token::Column::UsedAt.is_null())
        .filter(reset_token::Column::ExpiresAt.gt(now))
        .one(&*tx)
        .await?
    else {
        return Err(invalid());
    };
    let used = reset_token::Entity::update_many()
        .col_expr(reset_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(reset_token::Column::Id.eq(row.id))
        .filter(reset_token::Column::UsedAt.is_null())
        .exec(&*tx)
        .await?
        .rows_affected;
    let Some(u) = user::Entity::find_by_id(row.user_id).one(&*tx).await? else {
        return Err(invalid());
    };
    if used != 1 {
        return Err(invalid());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&*tx)
        .await?;
    let ended =
        crate::sessions::revoke_all(&tx, Actor::User(u.id), u.id, None, "password_reset").await?;
    crate::users::drop_stale_credentials(&tx, &u).await?;
    notify_password_changed(acc, &mut tx, &tenant, &u, now).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.password_reset")
            .details(serde_json::json!({ "sessions_revoked": ended.len() })),
    )
    .await?;
    tx.commit().await
}

/// `e` with its field renamed (a policy error names `password`; this endpoint's field differs).
pub(crate) fn rename_field(e: Error, field: &'static str) -> Error {
    match e {
        Error::Invalid { message, .. } => Error::invalid(field, message),
        other => other,
    }
}

/// Replaces any reset token of `u` with a new one (30 minutes, single use) and queues the
/// email with its link, inside `tx`.
pub(crate) async fn send_reset_link(
    mailer: &Mailer,
    tx: &mut crate::store::TenantTx,
    tenant: &crate::tenants::Tenant,
    u: &crate::store::entities::user::Model,
) -> Result<()> {
    let email = EmailAddress::parse(&u.email)?;
    reset_token::Entity::delete_many()
        .filter(reset_token::Column::UserId.eq(u.id))
        .exec(&**tx)
        .await?;
    let token = new_opaque_token();
    let now = Utc::now();
    reset_token::Entity::insert(reset_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(u.id),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now + chrono::Duration::minutes(RESET_MINUTES)),
        created_at: Set(now),
        used_at: Set(None),
    })
    .exec(&**tx)
    .await?;
    let link = format!(
        "{}/reset-password?tenant={}&token={token}",
        mailer.public_url(),
        tenant.slug
    );
    mailer
        .queue(
            tx,
            &mailer.branding_for(&tenant.name),
            &email,
            &crate::mail::messages::PasswordReset {
                link,
                expires_minutes: RESET_MINUTES,
            },
        )
        .await?;
    Ok(())
}
