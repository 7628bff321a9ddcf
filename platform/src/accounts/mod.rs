//! End-user accounts of a tenant: [`signup`] with an emailed code, password [`login`] (with
//! refresh and logout), passwordless sign-in with an emailed code ([`otp`]), [`recovery`] of a
//! forgotten password, and the user's own [`profile`]. Every answer that could tell whether an
//! account exists is the same either way. What the flows share lives here.

pub mod codes;
pub mod cookie;
pub mod lockout;
pub mod login;
pub mod otp;
pub mod profile;
pub mod reauth;
pub mod recovery;
pub mod signup;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use std::sync::Arc;

use crate::{
    audit::{self, Actor, Event, RequestMeta},
    context::OpContext,
    crypto::codes::OtpCode,
    crypto::{codes::CodeHasher, passwords::PasswordHasher, sealing::Sealer},
    domain::{EmailAddress, Password},
    error::{Error, Result},
    mail::Mailer,
    ratelimit::Bucket,
    signin::Signin,
    store::{TenantScope, TenantTx, entities::user},
    users::UserStatus,
};

use crate::throttle::{self, Cell, Throttle};

pub use lockout::LOCK_AFTER_FAILURES;
pub use login::{login, logout, refresh};
pub use otp::{otp_send, otp_verify};
pub use signup::{register, resend_verification, verify_email};

/// What the public auth flows use (and the MFA and invitation flows that sign people in):
/// the mailer, the password and code hashers, the sealer, the throttles and signing in. Cheap to
/// clone; built once with the application.
#[derive(Clone)]
pub struct Accounts {
    pub mailer: Mailer,
    pub hasher: PasswordHasher,
    pub code_hasher: Arc<CodeHasher>,
    /// Seals second-factor secrets under the master key.
    pub sealer: Arc<Sealer>,
    pub throttle: Throttle,
    pub signin: Signin,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").finish_non_exhaustive()
    }
}

pub(crate) use crate::throttle::ip_class;

/// The throttling key of the client's address in this tenant (see [`ip_class`]).
pub(crate) fn ip_key(scope: &TenantScope, meta: &RequestMeta) -> String {
    format!("{}:{}", scope.tenant_id(), ip_class(meta))
}

pub(crate) fn account_key(scope: &TenantScope, email: &str) -> String {
    format!("{}:{email}", scope.tenant_id())
}

pub(crate) async fn find_user(tx: &TenantTx, email: &EmailAddress) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&**tx)
        .await?)
}

/// The tenant's password policy.
pub(crate) async fn password_policy(ctx: &OpContext) -> Result<crate::settings::PasswordPolicy> {
    Ok(ctx.settings().await?.password_policy.clone())
}

/// Hashes on the bounded pool, mapping saturation to 503.
pub(crate) async fn hash_password(acc: &Accounts, password: &Password) -> Result<String> {
    acc.hasher.hash(password).await.map_err(Error::from)
}

pub(crate) fn invalid_code() -> Error {
    Error::Invalid {
        field: crate::error::Field::Body("code"),
        message: "the code is invalid or has expired".into(),
    }
}

/// Checks an emailed code and returns the open transaction that consumed it with the code's
/// user. Every failure is the same `invalid_code` answer. Failures are reserved before the
/// check, per account and per IP (a success gives them back); a passwordless login code also
/// counts in the account's stored lockout, like a password.
pub(crate) async fn consume_code(
    acc: &Accounts,
    ctx: &OpContext,
    email: &str,
    code: &str,
    purpose: codes::Purpose,
) -> Result<(
    TenantTx,
    user::Model,
    crate::store::entities::email_code::Model,
)> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email).map_err(|_| invalid_code())?;
    let code = OtpCode::parse(code).map_err(|_| invalid_code())?;
    let key = account_key(scope, email.as_str());
    let ip = ip_key(scope, meta);
    // Failed guesses also count per IP, so spreading them over many accounts does not help.
    let held = throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[
            Cell::Tenant(Bucket::CodeVerifyAccount, &key),
            Cell::Tenant(Bucket::OtpIp, &ip),
        ],
    )
    .await?;
    let tx = scope.begin().await?;
    let found = find_user(&tx, &email).await?;
    // The check is cheap, so the reservation stays in this transaction: racing checks of the
    // account wait on its row (its write lock on SQLite) and see this one's count.
    let reserved = match (&found, purpose) {
        (Some(u), codes::Purpose::Login) => match lockout::reserve_in(&tx, u.id).await? {
            Some(r) => Some(r),
            None => {
                tx.commit().await?;
                return Err(invalid_code());
            }
        },
        _ => None,
    };
    let checked = codes::check(acc, &tx, &email, purpose, &code).await?;
    let (Some(row), Some(u)) = (checked, found) else {
        tx.commit().await?;
        drop(held);
        return Err(invalid_code());
    };
    if let Some(r) = &reserved {
        lockout::clear(&tx, r).await?;
    }
    held.refund(&acc.throttle);
    Ok((tx, u, row))
}

/// Queues the "password changed" notice to `u` in `tx`.
pub(crate) async fn notify_password_changed(
    acc: &Accounts,
    tx: &mut TenantTx,
    tenant: &crate::tenants::Tenant,
    u: &user::Model,
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    acc.mailer
        .queue(
            tx,
            &acc.mailer.branding_for(&tenant.name),
            &EmailAddress::parse(&u.email)?,
            &crate::mail::messages::PasswordChanged {
                time: crate::mail::messages::stamp(at),
            },
        )
        .await
}

/// Emails a code for `purpose` when `email` belongs to an account in `status`, answering the
/// same way either way: over the per-account send limit it does nothing (a 429 would say the
/// account exists), and it writes an audit row whether or not the account exists, so known and
/// unknown emails cost a commit alike.
pub(crate) async fn send_code_quietly(
    acc: &Accounts,
    ctx: &OpContext,
    email: &EmailAddress,
    status: UserStatus,
    purpose: codes::Purpose,
    action: &'static str,
) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    if throttle::over_quietly(
        &acc.throttle,
        scope,
        Bucket::CodeSendAccount,
        &account_key(scope, email.as_str()),
    )
    .await
    {
        return Ok(());
    }
    let tenant = ctx.tenant().clone();
    let mut tx = scope.begin().await?;
    let found = find_user(&tx, email).await?.filter(|u| u.status == status);
    if found.is_some() {
        codes::send(acc, &mut tx, &tenant, email, purpose).await?;
    }
    let actor = found.map_or(Actor::Anonymous, |u| Actor::User(u.id));
    audit::record(&tx, meta, Event::ok(actor, action)).await?;
    tx.commit().await
}
