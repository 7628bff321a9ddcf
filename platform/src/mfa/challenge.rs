//! The second step of a login: after the first factor, an account with MFA on gets an
//! `mfa_token` instead of tokens. The token is opaque (stored hashed), bound to the user in this
//! tenant's own store, lives 5 minutes, allows 5 attempts and works once.

use crate::{
    accounts::Accounts,
    context::OpContext,
    signin::{MAX_ATTEMPTS, Method, TokenPair},
};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use super::{factors, wrong_code};
use crate::{
    accounts::{self, codes},
    audit::{self, Actor, Event},
    crypto::codes::{OtpCode, token_hash},
    domain::EmailAddress,
    error::{Error, ErrorCode, Result},
    ratelimit::Bucket,
    store::{
        TenantTx,
        entities::{mfa_challenge, user},
    },
    throttle::{self, Cell},
    users::UserStatus,
};

/// A completed challenge: the pair, and whether the login asked for cookie mode.
#[derive(Debug)]
pub struct Completed {
    pub pair: TokenPair,
    pub cookie: bool,
}

fn invalid_token() -> Error {
    Error::Unauthorized {
        code: ErrorCode::InvalidMfaToken,
        message: "the MFA token is invalid, used or expired; sign in again",
    }
}

/// The live challenge of `token` and its user, taking one attempt (conditionally, so racing
/// requests cannot exceed the limit). A void challenge is deleted.
async fn take_attempt(tx: &TenantTx, token: &str) -> Result<(mfa_challenge::Model, user::Model)> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_token());
    }
    let now = Utc::now();
    let Some(ch) = mfa_challenge::Entity::find()
        .filter(mfa_challenge::Column::TokenHash.eq(token_hash(token)))
        .one(&**tx)
        .await?
    else {
        return Err(invalid_token());
    };
    let taken = mfa_challenge::Entity::update_many()
        .col_expr(
            mfa_challenge::Column::Attempts,
            Expr::col(mfa_challenge::Column::Attempts).add(1),
        )
        .filter(mfa_challenge::Column::Id.eq(ch.id))
        .filter(mfa_challenge::Column::Attempts.lt(MAX_ATTEMPTS))
        .filter(mfa_challenge::Column::ExpiresAt.gt(now))
        .exec(&**tx)
        .await?
        .rows_affected;
    let u = user::Entity::find_by_id(ch.user_id).one(&**tx).await?;
    match u {
        Some(u) if taken == 1 && u.status == UserStatus::Active && u.mfa_enabled => Ok((ch, u)),
        _ => {
            mfa_challenge::Entity::delete_by_id(ch.id)
                .exec(&**tx)
                .await?;
            Err(invalid_token())
        }
    }
}

fn offers(ch: &mfa_challenge::Model, m: Method) -> bool {
    serde_json::from_str::<Vec<String>>(&ch.methods)
        .unwrap_or_default()
        .iter()
        .any(|x| x == m.name())
}

/// The second factor presented to `login/mfa`.
#[derive(Debug)]
pub enum Factor<'a> {
    Totp(&'a str),
    BackupCode(&'a str),
    EmailOtp(&'a str),
}

impl Factor<'_> {
    fn method(&self) -> Method {
        match self {
            Self::Totp(_) => Method::Totp,
            Self::BackupCode(_) => Method::BackupCode,
            Self::EmailOtp(_) => Method::EmailOtp,
        }
    }
}

/// `POST /auth/login/mfa`: the second factor completes the login. Wrong factors use up the
/// token's attempts and are throttled per address and per account.
pub async fn complete(
    acc: &Accounts,
    ctx: &OpContext,
    token: &str,
    factor: Factor<'_>,
) -> Result<Completed> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let ip = accounts::ip_key(scope, meta);
    // Failures are reserved before each check and given back on success.
    let by_ip = throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[Cell::Tenant(Bucket::MfaIp, &ip)],
    )
    .await?;
    let tx = scope.begin().await?;
    let (ch, u) = match take_attempt(&tx, token).await {
        Ok(found) => found,
        Err(e) => {
            tx.commit().await?;
            return Err(e);
        }
    };
    let account = format!("{}:{}", scope.tenant_id(), u.id);
    let by_account = match throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[Cell::Tenant(Bucket::MfaAccount, &account)],
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            tx.commit().await?;
            by_ip.refund(&acc.throttle);
            return Err(e);
        }
    };
    // Wrong second factors count in the account's stored lockout too (held across instances
    // and restarts); the check is cheap, so the reservation stays in this transaction.
    let Some(reserved) = accounts::lockout::reserve_in(&tx, u.id).await? else {
        tx.commit().await?;
        return Err(wrong_code());
    };
    let method = factor.method();
    let ok = offers(&ch, method)
        && match factor {
            Factor::Totp(code) => match factors::authenticator(&tx, u.id, true).await? {
                Some(row) => factors::use_totp(acc, ctx.scope(), &tx, &row, code).await?,
                None => false,
            },
            Factor::BackupCode(code) => factors::use_backup_code(acc, &tx, u.id, code).await?,
            Factor::EmailOtp(code) => match (OtpCode::parse(code), EmailAddress::parse(&u.email)) {
                (Ok(code), Ok(email)) => {
                    codes::check(acc, &tx, &email, codes::Purpose::MfaLogin, &code)
                        .await?
                        .is_some()
                }
                _ => false,
            },
        };
    if !ok {
        audit::record(
            &tx,
            meta,
            Event::failed(Actor::User(u.id), "auth.mfa_verify")
                .details(serde_json::json!({ "method": method.name() })),
        )
        .await?;
        tx.commit().await?;
        drop((by_ip, by_account));
        return Err(wrong_code());
    }
    by_ip.refund(&acc.throttle);
    by_account.refund(&acc.throttle);
    accounts::lockout::clear(&tx, &reserved).await?;
    mfa_challenge::Entity::delete_by_id(ch.id)
        .exec(&*tx)
        .await?;
    let mut amr: Vec<&str> = vec![];
    let first: Vec<String> = serde_json::from_str(&ch.amr).unwrap_or_default();
    amr.extend(first.iter().map(String::as_str));
    amr.extend([method.name(), "mfa"]);
    let cookie = ch.cookie;
    let pair = crate::signin::finish_login(&acc.signin, ctx, tx, u, &amr).await?;
    Ok(Completed { pair, cookie })
}

/// `POST /auth/login/mfa/email`: emails a code for the challenge of `token`, when the tenant
/// offers emailed codes as a second factor. Sending again within a minute sends nothing.
pub async fn send_email_code(acc: &Accounts, ctx: &OpContext, token: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let ip = accounts::ip_key(scope, meta);
    let by_ip = throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[Cell::Tenant(Bucket::MfaIp, &ip)],
    )
    .await?;
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_token());
    }
    let mut tx = scope.begin().await?;
    let found = mfa_challenge::Entity::find()
        .filter(mfa_challenge::Column::TokenHash.eq(token_hash(token)))
        .filter(mfa_challenge::Column::ExpiresAt.gt(Utc::now()))
        .one(&*tx)
        .await?;
    let Some(ch) = found else {
        tx.commit().await?;
        return Err(invalid_token());
    };
    by_ip.refund(&acc.throttle);
    if !offers(&ch, Method::EmailOtp) {
        return Err(Error::Forbidden {
            code: ErrorCode::MfaMethodNotAllowed,
            message: "this tenant does not offer emailed codes as a second factor".into(),
        });
    }
    let u = user::Entity::find_by_id(ch.user_id)
        .one(&*tx)
        .await?
        .ok_or_else(invalid_token)?;
    let email = EmailAddress::parse(&u.email)?;
    if throttle::over_quietly(
        &acc.throttle,
        scope,
        Bucket::CodeSendAccount,
        &format!("{}:{}", scope.tenant_id(), email.as_str()),
    )
    .await
    {
        return Err(Error::RateLimited {
            retry_after_secs: 60,
        });
    }
    let tenant = ctx.tenant().clone();
    let sent = codes::send(acc, &mut tx, &tenant, &email, codes::Purpose::MfaLogin).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.mfa_email_sent")
            .details(serde_json::json!({ "sent": sent })),
    )
    .await?;
    tx.commit().await
}
