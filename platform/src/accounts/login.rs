//! Signing in with a password, refreshing a session and signing out.

use crate::throttle;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Event, RequestMeta},
    context::OpContext,
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    ratelimit::Bucket,
    signin::{LoginOutcome, TokenPair},
    store::{TenantScope, entities::user},
    users::UserStatus,
};

use crate::throttle::Cell;

use super::{Accounts, account_key, find_user, hash_password, ip_key, lockout};

/// `POST /auth/login`: email and password. Unknown emails and wrong passwords cost the same
/// and fail alike. Every check is reserved before its hash runs: one failure per IP, per
/// account and against the client's platform-wide budget in memory, and one in the account's
/// stored lockout ([`lockout`]), so requests in flight all count; a success gives them back.
/// With MFA on, the answer is a challenge for the second factor instead of tokens.
pub async fn login(
    acc: &Accounts,
    ctx: &OpContext,
    email: &str,
    password: &str,
    cookie: bool,
) -> Result<LoginOutcome> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let ip = ip_key(scope, meta);
    let email = EmailAddress::parse(email).ok();
    let account = account_key(scope, email.as_ref().map_or("-", EmailAddress::as_str));
    let held = throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[
            Cell::Tenant(Bucket::LoginIp, &ip),
            Cell::Tenant(Bucket::LoginAccount, &account),
        ],
    )
    .await?;
    // Every hash costs the client's platform-wide budget, successful or not: the pool is shared.
    if let Err(e) = throttle::platform_hash_budget(&acc.throttle, meta).await {
        held.refund(&acc.throttle);
        return Err(e);
    }
    let password = Password::parse(password).ok();
    // Known and unknown emails both take a write transaction here; a known one also reserves
    // its failure, committed before the hash so that every other check sees it.
    let tx = scope.begin().await?;
    let found = match &email {
        Some(e) => find_user(&tx, e).await?,
        None => None,
    };
    let reserved = match &found {
        Some(u) => lockout::reserve_in(&tx, u.id).await?,
        None => {
            // The same statements for an unknown address, so that its answer takes as long.
            let _ = lockout::reserve_in(&tx, Uuid::nil()).await?;
            let _ = user::Entity::find_by_id(Uuid::nil()).one(&*tx).await?;
            None
        }
    };
    tx.commit().await?;
    // A locked account answers exactly like a wrong password (after the same dummy verify):
    // a distinct answer would tell an attacker the account exists.
    let locked = found.is_some() && reserved.is_none();
    let stored_hash = found
        .as_ref()
        .filter(|_| !locked)
        .and_then(|u| u.password_hash.clone());
    let stored = stored_hash.as_deref();
    let verification = match &password {
        Some(p) => acc.hasher.verify(p, stored).await,
        None => {
            // Still pay for a verification: a malformed password must not answer faster.
            let dummy = Password::parse("dummy-password-for-timing")
                .map_err(|e| Error::invalid("password", e))?;
            acc.hasher.verify(&dummy, None).await
        }
    }
    .map_err(Error::from)?;
    let (Some(u), Some(password), Some(reserved), true) = (
        found,
        password,
        reserved,
        verification.ok && stored.is_some(),
    ) else {
        drop(held);
        // Attempts refused while locked are not counted: they must not keep it locked forever.
        audit_failed_login(scope, meta, reserved.as_ref()).await?;
        return Err(Error::invalid_credentials());
    };
    // Hash before taking the write lock: an upgrade costs a full argon2 run.
    let upgraded = if verification.needs_rehash {
        Some(hash_password(acc, &password).await?)
    } else {
        None
    };
    let tx = scope.begin().await?;
    // Under the row's lock: a check that locked the account while this one hashed wins.
    if !lockout::clear(&tx, &reserved).await? {
        tx.rollback().await?;
        audit_failed_login(scope, meta, None).await?;
        return Err(Error::invalid_credentials());
    }
    held.refund(&acc.throttle);
    match u.status {
        UserStatus::Active => {}
        UserStatus::Pending => {
            tx.commit().await?;
            return Err(Error::Forbidden {
                code: ErrorCode::EmailNotVerified,
                message: "verify your email address first".into(),
            });
        }
        UserStatus::Disabled => {
            tx.commit().await?;
            return Err(Error::Forbidden {
                code: ErrorCode::AccountDisabled,
                message: "this account is disabled".into(),
            });
        }
    }
    if let Some(hash) = upgraded {
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(Some(hash)))
            .filter(user::Column::Id.eq(u.id))
            .exec(&*tx)
            .await?;
    }
    crate::signin::finish_or_challenge(&acc.signin, ctx, tx, u, "pwd", cookie).await
}

/// Audits a failed password login: against the account when `reserved` counted it (with the
/// count and whether it is now locked), else anonymously. Known and unknown emails cost the
/// same commit.
async fn audit_failed_login(
    scope: &TenantScope,
    meta: &RequestMeta,
    reserved: Option<&lockout::Reserved>,
) -> Result<()> {
    let tx = scope.begin().await?;
    let event = match reserved {
        Some(r) => Event::failed(Actor::User(r.user_id), "auth.login").details(serde_json::json!({
            "failed_logins": r.failures,
            "locked": r.locked_until.is_some(),
        })),
        None => Event::failed(Actor::Anonymous, "auth.login"),
    };
    audit::record(&tx, meta, event).await?;
    tx.commit().await
}

/// `POST /auth/token/refresh`: rotates the refresh token and signs a new access token.
pub async fn refresh(acc: &Accounts, ctx: &OpContext, token: &str) -> Result<TokenPair> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let rotated = crate::sessions::rotate(scope, token, meta).await?;
    crate::signin::pair::issue(
        &acc.signin,
        scope,
        &rotated.settings,
        rotated.user,
        &rotated.session,
        rotated.refresh_token,
    )
    .await
}

/// `POST /auth/logout`: ends the caller's session (or all of them) at once.
pub async fn logout(
    _acc: &Accounts,
    ctx: &OpContext,
    user_id: Uuid,
    session_id: Uuid,
    everywhere: bool,
) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let tx = scope.begin().await?;
    let by = Actor::User(user_id);
    if everywhere {
        crate::sessions::revoke_all(&tx, by, user_id, None, "logout_all").await?;
    } else {
        crate::sessions::revoke(&tx, by, session_id, Some(user_id), "logout").await?;
    }
    audit::record(
        &tx,
        meta,
        Event::ok(
            Actor::User(user_id),
            if everywhere {
                "auth.logout_all"
            } else {
                "auth.logout"
            },
        )
        .target("session", session_id),
    )
    .await?;
    tx.commit().await
}
