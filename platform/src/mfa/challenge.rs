//! The second step of a login: after the first factor, an account with MFA on gets an
//! `mfa_token` instead of tokens. The token is opaque (stored hashed), bound to the user in this
//! tenant's own store, lives 5 minutes, allows 5 attempts and works once.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{factors, wrong_code};
use crate::{
    accounts::{
        self, TokenPair, codes,
        throttle::{self, Cell},
    },
    app::AppState,
    audit::{self, Actor, Event, RequestMeta},
    crypto::codes::{OtpCode, new_opaque_token, token_hash},
    domain::EmailAddress,
    error::{Error, ErrorCode, Result},
    ratelimit::Bucket,
    settings::TenantSettings,
    store::{
        TenantScope, TenantTx,
        entities::{mfa_challenge, user},
    },
    users::UserStatus,
};

/// Seconds an `mfa_token` stays valid.
pub const CHALLENGE_SECS: i64 = 300;
/// Wrong second factors before an `mfa_token` is void.
pub const MAX_ATTEMPTS: i32 = 5;

/// A second factor, as offered in `methods` and recorded in `amr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A code from the authenticator app.
    Totp,
    /// One of the backup codes.
    BackupCode,
    /// A code emailed for this login (when the tenant allows it).
    EmailOtp,
}

impl Method {
    /// The name used in `methods` and `amr`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::BackupCode => "backup_code",
            Self::EmailOtp => "email_otp",
        }
    }
}

/// The answer to a first factor when a second one is needed.
#[derive(Debug)]
pub struct Challenge {
    pub mfa_token: String,
    pub methods: Vec<&'static str>,
    pub expires_in: u32,
}

/// A login answered with tokens or with a challenge.
#[derive(Debug)]
pub enum LoginOutcome {
    Signed(Box<TokenPair>),
    MfaRequired(Challenge),
}

/// A completed challenge: the pair, and whether the login asked for cookie mode.
#[derive(Debug)]
pub struct Completed {
    pub pair: TokenPair,
    pub cookie: bool,
}

/// After a first factor (`first`: `pwd` or `otp`) for `u` inside `tx`: signs in when `u` has
/// no second factor, or records a challenge and answers with its token.
pub async fn finish_or_challenge(
    state: &AppState,
    scope: &TenantScope,
    tx: TenantTx,
    meta: &RequestMeta,
    u: user::Model,
    first: &'static str,
    cookie: bool,
) -> Result<LoginOutcome> {
    if !u.mfa_enabled {
        let pair = accounts::finish_login(state, scope, tx, meta, u, &[first]).await?;
        return Ok(LoginOutcome::Signed(Box::new(pair)));
    }
    let settings = TenantSettings::load(&tx).await?;
    let mut methods = vec![Method::Totp.name(), Method::BackupCode.name()];
    // An emailed code is no second factor after an emailed first one.
    if settings.mfa_email_otp && first != "otp" {
        methods.push(Method::EmailOtp.name());
    }
    let token = new_opaque_token();
    let now = Utc::now();
    // Only the newest challenges matter; old ones of this user are cleared on the way.
    mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::UserId.eq(u.id))
        .filter(mfa_challenge::Column::ExpiresAt.lt(now))
        .exec(&*tx)
        .await?;
    mfa_challenge::Entity::insert(mfa_challenge::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token_hash(&token)),
        user_id: Set(u.id),
        amr: Set(serde_json::to_string(&[first]).unwrap_or_else(|_| "[]".into())),
        methods: Set(serde_json::to_string(&methods).unwrap_or_else(|_| "[]".into())),
        cookie: Set(cookie),
        attempts: Set(0),
        expires_at: Set(now + chrono::Duration::seconds(CHALLENGE_SECS)),
        created_at: Set(now),
    })
    .exec(&*tx)
    .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.mfa_challenge")
            .details(serde_json::json!({ "first_factor": first, "methods": methods })),
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome::MfaRequired(Challenge {
        mfa_token: token,
        methods,
        expires_in: u32::try_from(CHALLENGE_SECS).unwrap_or(300),
    }))
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
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    token: &str,
    factor: Factor<'_>,
) -> Result<Completed> {
    let ip = accounts::ip_key(scope, meta);
    // Failures are reserved before each check and given back on success.
    let by_ip = throttle::reserve(state, Some(scope), &[Cell::Tenant(Bucket::MfaIp, &ip)]).await?;
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
        state,
        Some(scope),
        &[Cell::Tenant(Bucket::MfaAccount, &account)],
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            tx.commit().await?;
            by_ip.refund(state);
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
                Some(row) => factors::use_totp(state, scope, &tx, &row, code).await?,
                None => false,
            },
            Factor::BackupCode(code) => factors::use_backup_code(state, &tx, u.id, code).await?,
            Factor::EmailOtp(code) => match (OtpCode::parse(code), EmailAddress::parse(&u.email)) {
                (Ok(code), Ok(email)) => {
                    codes::check(state, &tx, &email, codes::Purpose::MfaLogin, &code)
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
    by_ip.refund(state);
    by_account.refund(state);
    accounts::lockout::clear(&tx, &reserved).await?;
    mfa_challenge::Entity::delete_by_id(ch.id)
        .exec(&*tx)
        .await?;
    let mut amr: Vec<&str> = vec![];
    let first: Vec<String> = serde_json::from_str(&ch.amr).unwrap_or_default();
    amr.extend(first.iter().map(String::as_str));
    amr.extend([method.name(), "mfa"]);
    let cookie = ch.cookie;
    let pair = accounts::finish_login(state, scope, tx, meta, u, &amr).await?;
    Ok(Completed { pair, cookie })
}

/// `POST /auth/login/mfa/email`: emails a code for the challenge of `token`, when the tenant
/// offers emailed codes as a second factor. Sending again within a minute sends nothing.
pub async fn send_email_code(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    token: &str,
) -> Result<()> {
    let ip = accounts::ip_key(scope, meta);
    let by_ip = throttle::reserve(state, Some(scope), &[Cell::Tenant(Bucket::MfaIp, &ip)]).await?;
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
    by_ip.refund(state);
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
        state,
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
    let tenant = accounts::tenant_of(state, scope).await?;
    let sent = codes::send(state, &mut tx, &tenant, &email, codes::Purpose::MfaLogin).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.mfa_email_sent")
            .details(serde_json::json!({ "sent": sent })),
    )
    .await?;
    tx.commit().await
}
