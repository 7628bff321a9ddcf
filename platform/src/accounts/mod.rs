//! End-user accounts of a tenant: sign-up with an emailed code, password and passwordless login,
//! refresh, logout. Every answer that could tell whether an account exists is the same either way.

pub mod codes;
pub mod cookie;
pub mod lockout;
pub mod profile;
pub mod reauth;
pub mod recovery;
pub mod throttle;

use chrono::Utc;
use email_templates::Message;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use std::sync::Arc;

use crate::{
    audit::{self, Actor, Event, RequestMeta},
    context::OpContext,
    crypto::codes::OtpCode,
    crypto::{codes::CodeHasher, passwords::PasswordHasher, sealing::Sealer},
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    mail::Mailer,
    ratelimit::Bucket,
    sessions::Sessions,
    signin::{LoginOutcome, Signin, TokenPair},
    store::{Change, TenantScope, TenantTx, entities::user},
    users::UserStatus,
};

use throttle::{Cell, Throttle};

pub use lockout::LOCK_AFTER_FAILURES;

/// What the public auth flows use (and the MFA and invitation flows that sign people in):
/// the mailer, the password and code hashers, the throttles, the sessions' liveness cache and
/// signing in. Cheap to clone; built once with the application.
#[derive(Clone)]
pub struct Accounts {
    pub mailer: Mailer,
    pub hasher: PasswordHasher,
    pub code_hasher: Arc<CodeHasher>,
    /// Seals second-factor secrets under the master key.
    pub sealer: Arc<Sealer>,
    pub throttle: Throttle,
    pub sessions: Sessions,
    pub signin: Signin,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").finish_non_exhaustive()
    }
}

/// The client's address as throttling counts it: IPv4 as is, IPv6 by its /64 (one subscriber
/// typically holds a whole /64, so single addresses would be free to rotate).
pub(crate) fn ip_class(meta: &RequestMeta) -> String {
    match meta.ip.as_deref().map(str::parse::<std::net::IpAddr>) {
        Some(Ok(std::net::IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Some(Ok(ip)) => ip.to_string(),
        _ => "-".into(),
    }
}

/// The throttling key of the client's address in this tenant (see [`ip_class`]).
pub(crate) fn ip_key(scope: &TenantScope, meta: &RequestMeta) -> String {
    format!("{}:{}", scope.tenant_id(), ip_class(meta))
}

fn account_key(scope: &TenantScope, email: &str) -> String {
    format!("{}:{email}", scope.tenant_id())
}

async fn find_user(tx: &TenantTx, email: &EmailAddress) -> Result<Option<user::Model>> {
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

/// What the one argon2 run of a registration found out, before its transaction.
enum Checked {
    /// A hash of the new password (a new or contested address, or a taken one: the hash is
    /// made either way so that every answer costs the same).
    Hashed(String),
    /// The password was compared with the pending account's candidate.
    Compared { candidate: String, same: bool },
}

/// `POST /auth/register`: creates (or refreshes) an unverified account and emails a code.
/// Answers the same whether or not the email is taken, and every path costs one argon2 run and
/// one email (a taken address gets an "account exists" notice instead of a code).
///
/// Only the owner of the mailbox may end up choosing the password. The pending account keeps
/// the password its registration chose as a *candidate*, applied when the emailed code is
/// entered; a later registration with the same password changes nothing, one with another
/// password *contests* the account for good (until it is verified): its code then verifies and
/// signs in but sets no password, and the user sets one from that sign-in (or sends it with the
/// code, see [`verify_email`]). Codes expiring changes none of this.
pub async fn register(acc: &Accounts, ctx: &OpContext, email: &str, password: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email)?;
    let password = Password::parse(password).map_err(|e| Error::invalid("password", e))?;
    throttle::every_attempt(
        &acc.throttle,
        scope,
        Bucket::RegisterIp,
        &ip_key(scope, meta),
    )
    .await?;
    throttle::platform_hash_budget(&acc.throttle, meta).await?;
    password_policy(ctx)
        .await?
        .check(&password, Some(email.as_str()))?;
    let tenant = ctx.tenant().clone();
    // Read first, hash outside any transaction, then decide under the address's lock.
    let tx = scope.read().await?;
    let settings = ctx.settings_in(&tx).await?;
    let candidate = find_user(&tx, &email)
        .await?
        .filter(|u| u.status == UserStatus::Pending && !u.registration_contested)
        .and_then(|u| u.pending_password_hash);
    tx.commit().await?;
    if !settings.self_signup {
        return Err(Error::Forbidden {
            code: ErrorCode::SignupDisabled,
            message: "this tenant does not allow self sign-up".into(),
        });
    }
    let checked = match candidate {
        Some(candidate) => {
            let same = acc
                .hasher
                .verify(&password, Some(&candidate))
                .await
                .map_err(Error::from)?
                .ok;
            Checked::Compared { candidate, same }
        }
        None => Checked::Hashed(hash_password(acc, &password).await?),
    };
    let mut tx = scope.begin().await?;
    // Registrations of one address queue here (the write lock already does on SQLite).
    tx.lock(&format!("address:{}", email.as_str())).await?;
    let now = Utc::now();
    match find_user(&tx, &email).await? {
        None => {
            let Checked::Hashed(hash) = checked else {
                // The pending account vanished while we compared: nothing to refresh.
                audit::record(&tx, meta, Event::ok(Actor::Anonymous, "auth.register")).await?;
                return tx.commit().await;
            };
            let id = Uuid::now_v7();
            user::Entity::insert(user::ActiveModel {
                id: Set(id),
                email: Set(email.as_str().into()),
                name: Set(None),
                password_hash: Set(None),
                status: Set(UserStatus::Pending),
                role: Set(settings.default_role.clone()),
                email_verified_at: Set(None),
                failed_logins: Set(0),
                locked_until: Set(None),
                mfa_enabled: Set(false),
                // Applied when the emailed code is entered.
                pending_password_hash: Set(Some(hash)),
                registration_contested: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&*tx)
            .await?;
            tx.emit(
                Actor::User(id),
                &DomainEvent::UserCreated {
                    user: id,
                    email: email.as_str().into(),
                    status: UserStatus::Pending,
                },
            );
            codes::send(acc, &mut tx, &tenant, &email, codes::Purpose::VerifyEmail).await?;
            audit::record(&tx, meta, Event::ok(Actor::User(id), "auth.register")).await?;
        }
        Some(u) if u.status == UserStatus::Pending => {
            let same_registrant = !u.registration_contested
                && matches!(
                    (&checked, &u.pending_password_hash),
                    (Checked::Compared { candidate, same: true }, Some(now_stored))
                        if candidate == now_stored
                );
            // A pending account without a candidate was registered by an earlier release
            // (its password rode on its code): treat any second registration as a contest.
            if !same_registrant && !u.registration_contested {
                user::Entity::update_many()
                    .col_expr(
                        user::Column::PendingPasswordHash,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(user::Column::RegistrationContested, Expr::value(true))
                    .col_expr(user::Column::UpdatedAt, Expr::value(now))
                    .filter(user::Column::Id.eq(u.id))
                    .exec(&*tx)
                    .await?;
                // A code an earlier release bound to a password is emptied too.
                crate::store::entities::email_code::Entity::update_many()
                    .col_expr(
                        crate::store::entities::email_code::Column::PasswordHash,
                        Expr::value(Option::<String>::None),
                    )
                    .filter(crate::store::entities::email_code::Column::Email.eq(email.as_str()))
                    .exec(&*tx)
                    .await?;
            }
            let issued =
                codes::send(acc, &mut tx, &tenant, &email, codes::Purpose::VerifyEmail).await?;
            audit::record(
                &tx,
                meta,
                Event::ok(Actor::User(u.id), "auth.register").details(serde_json::json!({
                    "code_sent": issued,
                    "contested": !same_registrant,
                })),
            )
            .await?;
        }
        Some(u) => {
            // An account exists: tell its owner (it may be them, having forgotten), with the
            // cooldown a code has, and change nothing.
            if !notified_recently(&tx, &email, now).await? {
                acc.mailer
                    .queue(
                        &mut tx,
                        &acc.mailer.branding_for(&tenant.name),
                        &email,
                        &crate::mail::messages::AccountExists {},
                    )
                    .await?;
            }
            audit::record(
                &tx,
                meta,
                Event::failed(Actor::Anonymous, "auth.register").target("user", u.id),
            )
            .await?;
        }
    }
    tx.commit().await
}

/// Whether an "account exists" notice went to `email` within the resend cooldown of codes.
async fn notified_recently(
    tx: &TenantTx,
    email: &EmailAddress,
    now: chrono::DateTime<Utc>,
) -> Result<bool> {
    use crate::store::entities::outbox;
    let since = now - chrono::Duration::seconds(codes::RESEND_COOLDOWN_SECS);
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Recipient.eq(email.as_str()))
        .filter(outbox::Column::CreatedAt.gt(since))
        .filter(outbox::Column::Message.eq(Message::AccountExists.name()))
        .one(&**tx)
        .await?
        .is_some())
}

/// `POST /auth/email/resend`: sends a fresh verification code to an unverified account.
pub async fn resend_verification(acc: &Accounts, ctx: &OpContext, email: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(
        &acc.throttle,
        scope,
        Bucket::RegisterIp,
        &ip_key(scope, meta),
    )
    .await?;
    send_code_quietly(
        acc,
        ctx,
        &email,
        UserStatus::Pending,
        codes::Purpose::VerifyEmail,
        "auth.email_resend",
    )
    .await
}

pub(crate) fn invalid_code() -> Error {
    Error::Invalid {
        field: "code",
        message: "the code is invalid or has expired".into(),
    }
}

/// Checks an emailed code and returns the open transaction that consumed it with the code's
/// user. Every failure is the same `invalid_code` answer. Failures are reserved before the
/// check, per account and per IP (a success gives them back); a passwordless login code also
/// counts in the account's stored lockout, like a password.
async fn consume_code(
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
async fn notify_password_changed(
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

/// `POST /auth/email/verify`: the emailed code activates a pending account and signs it in.
/// The password that applies is the one sent here, if any (its sender holds the code, so owns
/// the mailbox); otherwise the registration's candidate, unless registrations contested the
/// account (see [`register`]), in which case it starts without a password.
pub async fn verify_email(
    acc: &Accounts,
    ctx: &OpContext,
    email: &str,
    code: &str,
    password: Option<&str>,
) -> Result<TokenPair> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let chosen = match password {
        Some(raw) => {
            let p = Password::parse(raw).map_err(|e| Error::invalid("password", e))?;
            password_policy(ctx).await?.check(&p, Some(email))?;
            // No hash for an address without a live code: nothing could verify.
            let address = EmailAddress::parse(email).map_err(|_| invalid_code())?;
            let tx = scope.read().await?;
            let live = codes::is_live(&tx, &address, codes::Purpose::VerifyEmail).await?;
            tx.commit().await?;
            if !live {
                return Err(invalid_code());
            }
            throttle::platform_hash_budget(&acc.throttle, meta).await?;
            Some(hash_password(acc, &p).await?)
        }
        None => None,
    };
    let (tx, mut u, row) = consume_code(acc, ctx, email, code, codes::Purpose::VerifyEmail).await?;
    // Only a pending account is verified: an active or disabled one keeps what it has.
    if u.status != UserStatus::Pending {
        return Err(invalid_code());
    }
    let now = Utc::now();
    // The registration's candidate, unless contested; a code an earlier release bound to a
    // password carries it instead.
    let registered = (!u.registration_contested)
        .then(|| u.pending_password_hash.clone().or(row.password_hash))
        .flatten();
    let mut activate = user::Entity::update_many();
    if let Some(hash) = chosen.or(registered) {
        activate = activate.col_expr(user::Column::PasswordHash, Expr::value(Some(hash.clone())));
        u.password_hash = Some(hash);
    }
    activate
        .col_expr(user::Column::Status, Expr::value(UserStatus::Active))
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .col_expr(
            user::Column::PendingPasswordHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::RegistrationContested, Expr::value(false))
        // Failures run up against the pending account do not follow it into its active life.
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&*tx)
        .await?;
    u.pending_password_hash = None;
    u.registration_contested = false;
    u.failed_logins = 0;
    u.locked_until = None;
    u.status = UserStatus::Active;
    u.email_verified_at = Some(now);
    tx.invalidate(Change::User { id: u.id });
    tx.emit(Actor::User(u.id), &DomainEvent::UserVerified { user: u.id });
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.email_verified"),
    )
    .await?;
    crate::signin::finish_login(&acc.signin, ctx, tx, u, &["otp"]).await
}

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

/// `POST /auth/otp/send`: emails a one-time login code to an active account (202 either way).
pub async fn otp_send(acc: &Accounts, ctx: &OpContext, email: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(&acc.throttle, scope, Bucket::OtpIp, &ip_key(scope, meta)).await?;
    send_code_quietly(
        acc,
        ctx,
        &email,
        UserStatus::Active,
        codes::Purpose::Login,
        "auth.otp_sent",
    )
    .await
}

/// Emails a code for `purpose` when `email` belongs to an account in `status`, answering the
/// same way either way: over the per-account send limit it does nothing (a 429 would say the
/// account exists), and it writes an audit row whether or not the account exists, so known and
/// unknown emails cost a commit alike.
async fn send_code_quietly(
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

/// `POST /auth/otp/verify`: the emailed login code signs an active account in (or, with MFA
/// on, answers a challenge for the second factor).
pub async fn otp_verify(
    acc: &Accounts,
    ctx: &OpContext,
    email: &str,
    code: &str,
) -> Result<LoginOutcome> {
    let (_scope, _meta) = (ctx.scope(), ctx.meta());
    let (tx, u, _) = consume_code(acc, ctx, email, code, codes::Purpose::Login).await?;
    if u.status != UserStatus::Active {
        return Err(invalid_code());
    }
    crate::signin::finish_or_challenge(&acc.signin, ctx, tx, u, "otp", false).await
}

/// `POST /auth/token/refresh`: rotates the refresh token and signs a new access token.
pub async fn refresh(acc: &Accounts, ctx: &OpContext, token: &str) -> Result<TokenPair> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let rotated = acc.sessions.rotate(scope, token, meta).await?;
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
