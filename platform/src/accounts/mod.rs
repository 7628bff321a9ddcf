//! End-user accounts of a tenant: sign-up with an emailed code, password and passwordless login,
//! refresh, logout. Every answer that could tell whether an account exists is the same either way.

pub mod codes;
pub mod cookie;
pub mod pair;
pub mod profile;
pub mod recovery;
pub mod throttle;

use chrono::Utc;
use email_templates::Message;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    app::AppState,
    audit::{self, Actor, Event, RequestMeta},
    crypto::codes::OtpCode,
    domain::{EmailAddress, Password},
    error::{Error, Result},
    mfa::{LoginOutcome, challenge},
    ratelimit::Bucket,
    settings::TenantSettings,
    store::{
        TenantScope, TenantTx,
        entities::{session, user},
    },
    tenants::Tenant,
};

pub use pair::TokenPair;

/// Consecutive failed password logins before the account is locked for a while.
pub const LOCK_AFTER_FAILURES: i32 = 10;

/// The throttling key of the client's address: IPv4 as is, IPv6 by its /64 (one subscriber
/// typically holds a whole /64, so single addresses would be free to rotate).
pub(crate) fn ip_key(scope: &TenantScope, meta: &RequestMeta) -> String {
    let ip = match meta.ip.as_deref().map(str::parse::<std::net::IpAddr>) {
        Some(Ok(std::net::IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Some(Ok(ip)) => ip.to_string(),
        _ => "-".into(),
    };
    format!("{}:{ip}", scope.tenant_id())
}

fn account_key(scope: &TenantScope, email: &str) -> String {
    format!("{}:{email}", scope.tenant_id())
}

pub(crate) async fn tenant_of(
    state: &AppState,
    scope: &TenantScope,
) -> Result<std::sync::Arc<Tenant>> {
    state.tenants.get(&scope.tenant_id().to_string()).await
}

async fn find_user(tx: &TenantTx, email: &EmailAddress) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&**tx)
        .await?)
}

/// The tenant's password policy.
pub(crate) async fn password_policy(
    scope: &TenantScope,
) -> Result<crate::settings::PasswordPolicy> {
    let tx = scope.read().await?;
    let settings = TenantSettings::load(&tx).await?;
    tx.commit().await?;
    Ok(settings.password_policy)
}

/// Hashes on the bounded pool, mapping saturation to 503.
pub(crate) async fn hash_password(state: &AppState, password: &Password) -> Result<String> {
    state.hasher.hash(password).await.map_err(|e| match e {
        crate::crypto::CryptoError::Busy => Error::Busy,
        other => Error::Internal(anyhow::anyhow!("hashing a password: {other}")),
    })
}

/// `POST /auth/register`: creates (or refreshes) an unverified account and emails a code.
/// Answers the same whether or not the email is taken.
pub async fn register(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<()> {
    let email = EmailAddress::parse(email)?;
    let password = Password::parse(password).map_err(|e| Error::invalid("password", e))?;
    throttle::every_attempt(state, scope, Bucket::RegisterIp, &ip_key(scope, meta)).await?;
    password_policy(scope)
        .await?
        .check(&password, Some(email.as_str()))?;
    let tenant = tenant_of(state, scope).await?;
    // Hash before looking: taken and free emails cost the same.
    let hash = hash_password(state, &password).await?;
    let mut tx = scope.begin().await?;
    let settings = TenantSettings::load(&tx).await?;
    if !settings.self_signup {
        return Err(Error::Forbidden {
            code: "signup_disabled",
            message: "this tenant does not allow self sign-up".into(),
        });
    }
    let now = Utc::now();
    match find_user(&tx, &email).await? {
        None => {
            let id = Uuid::now_v7();
            user::Entity::insert(user::ActiveModel {
                id: Set(id),
                email: Set(email.as_str().into()),
                name: Set(None),
                // The password is set when this registration's code is verified.
                password_hash: Set(None),
                status: Set("pending".into()),
                role: Set(settings.default_role.clone()),
                email_verified_at: Set(None),
                failed_logins: Set(0),
                locked_until: Set(None),
                mfa_enabled: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&*tx)
            .await?;
            codes::send(
                state,
                &mut tx,
                &tenant,
                &email,
                codes::Purpose::VerifyEmail,
                Some(hash),
            )
            .await?;
            audit::record(&tx, meta, Event::ok(Actor::User(id), "auth.register")).await?;
        }
        Some(u) if u.status == "pending" => {
            // The password travels with the new code and applies only if that code is
            // verified; within the resend cooldown no code is made and nothing changes.
            let issued = codes::send(
                state,
                &mut tx,
                &tenant,
                &email,
                codes::Purpose::VerifyEmail,
                Some(hash),
            )
            .await?;
            audit::record(
                &tx,
                meta,
                Event::ok(Actor::User(u.id), "auth.register")
                    .details(serde_json::json!({ "code_sent": issued })),
            )
            .await?;
        }
        Some(u) => {
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

/// `POST /auth/email/resend`: sends a fresh verification code to an unverified account.
pub async fn resend_verification(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
) -> Result<()> {
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(state, scope, Bucket::RegisterIp, &ip_key(scope, meta)).await?;
    send_code_quietly(
        state,
        scope,
        meta,
        &email,
        "pending",
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

/// Checks an emailed code (throttled per account) and returns the open transaction that
/// consumed it with the code's user. Every failure is the same `invalid_code` answer.
async fn consume_code(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
    code: &str,
    purpose: codes::Purpose,
) -> Result<(
    TenantTx,
    user::Model,
    crate::store::entities::email_code::Model,
)> {
    let email = EmailAddress::parse(email).map_err(|_| invalid_code())?;
    let code = OtpCode::parse(code).map_err(|_| invalid_code())?;
    let key = account_key(scope, email.as_str());
    let ip = ip_key(scope, meta);
    throttle::refuse_if_blocked(state, Bucket::CodeVerifyAccount, &key).await?;
    // Failed guesses also count per IP, so spreading them over many accounts does not help.
    throttle::refuse_if_blocked(state, Bucket::OtpIp, &ip).await?;
    let tx = scope.begin().await?;
    let Some(row) = codes::check(state, &tx, &email, purpose, &code).await? else {
        tx.commit().await?;
        throttle::failed(state, scope, Bucket::CodeVerifyAccount, &key).await;
        throttle::failed(state, scope, Bucket::OtpIp, &ip).await;
        return Err(invalid_code());
    };
    let u = find_user(&tx, &email).await?.ok_or_else(invalid_code)?;
    Ok((tx, u, row))
}

/// Drops a user's outstanding reset tokens and emailed codes: after a password change or reset,
/// nothing issued before it may still sign in.
async fn drop_stale_credentials(tx: &TenantTx, u: &user::Model) -> Result<()> {
    use crate::store::entities::{email_code, reset_token};
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

/// Queues the "password changed" notice to `u` in `tx`.
async fn notify_password_changed(
    state: &AppState,
    tx: &mut TenantTx,
    tenant: &Tenant,
    u: &user::Model,
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    state
        .mailer
        .queue(
            tx,
            Message::PasswordChanged,
            &state.mailer.branding_for(&tenant.name),
            &EmailAddress::parse(&u.email)?,
            serde_json::json!({ "time": at.format("%Y-%m-%d %H:%M UTC").to_string() }),
        )
        .await
}

/// `POST /auth/email/verify`: the emailed code activates the account and signs it in.
pub async fn verify_email(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
    code: &str,
) -> Result<TokenPair> {
    let (tx, mut u, row) =
        consume_code(state, scope, meta, email, code, codes::Purpose::VerifyEmail).await?;
    if u.status == "disabled" {
        return Err(invalid_code());
    }
    let now = Utc::now();
    let mut activate = user::Entity::update_many();
    if let Some(hash) = row.password_hash {
        activate = activate.col_expr(user::Column::PasswordHash, Expr::value(Some(hash.clone())));
        u.password_hash = Some(hash);
    }
    activate
        .col_expr(user::Column::Status, Expr::value("active"))
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&*tx)
        .await?;
    u.status = "active".into();
    u.email_verified_at = Some(now);
    state.forget_user(u.id).await;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.email_verified"),
    )
    .await?;
    finish_login(state, scope, tx, meta, u, &["otp"]).await
}

/// Starts a session for `u` inside `tx`, audits the login, commits and returns the pair.
pub(crate) async fn finish_login(
    state: &AppState,
    scope: &TenantScope,
    mut tx: TenantTx,
    meta: &RequestMeta,
    u: user::Model,
    amr: &[&str],
) -> Result<TokenPair> {
    let settings = TenantSettings::load(&tx).await?;
    let seen_here = match &meta.ip {
        Some(ip) => session::Entity::find()
            .filter(session::Column::UserId.eq(u.id))
            .filter(session::Column::Ip.eq(ip.as_str()))
            .one(&*tx)
            .await?
            .is_some(),
        None => true,
    };
    let first_session = session::Entity::find()
        .filter(session::Column::UserId.eq(u.id))
        .one(&*tx)
        .await?
        .is_none();
    let (session, refresh) = state
        .sessions
        .start(&tx, u.id, amr, meta, &settings)
        .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.login")
            .target("session", session.id)
            .details(serde_json::json!({ "amr": amr })),
    )
    .await?;
    if settings.new_sign_in_alert && !seen_here && !first_session {
        let tenant = tenant_of(state, scope).await?;
        let email = EmailAddress::parse(&u.email)?;
        state
            .mailer
            .queue(
                &mut tx,
                Message::NewSignIn,
                &state.mailer.branding_for(&tenant.name),
                &email,
                serde_json::json!({
                    "ip": meta.ip.clone().unwrap_or_default(),
                    "user_agent": meta.user_agent.clone().unwrap_or_else(|| "unknown".into()),
                    "time": Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
                }),
            )
            .await?;
    }
    tx.commit().await?;
    pair::issue(state, scope, &settings, u, &session, refresh).await
}

/// `POST /auth/login`: email and password. Unknown emails and wrong passwords cost the same
/// and fail alike; repeated failures are throttled per IP and per account, and an account is
/// locked (stored, so it survives a restart) after [`LOCK_AFTER_FAILURES`] in a row. With MFA
/// on, the answer is a challenge for the second factor instead of tokens.
pub async fn login(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
    password: &str,
    cookie: bool,
) -> Result<LoginOutcome> {
    let ip = ip_key(scope, meta);
    let email = EmailAddress::parse(email).ok();
    let account = account_key(scope, email.as_ref().map_or("-", EmailAddress::as_str));
    throttle::refuse_if_blocked(state, Bucket::LoginIp, &ip).await?;
    throttle::refuse_if_blocked(state, Bucket::LoginAccount, &account).await?;
    let password = Password::parse(password).ok();
    let tx = scope.read().await?;
    let found = match &email {
        Some(e) => find_user(&tx, e).await?,
        None => None,
    };
    tx.commit().await?;
    // A locked account answers exactly like a wrong password (after the same dummy verify):
    // a distinct answer would tell an attacker the account exists.
    let now = Utc::now();
    let locked = found
        .as_ref()
        .and_then(|u| u.locked_until)
        .is_some_and(|until| until > now);
    let stored_hash = found
        .as_ref()
        .filter(|_| !locked)
        .and_then(|u| u.password_hash.clone());
    let stored = stored_hash.as_deref();
    let verification = match &password {
        Some(p) => state.hasher.verify(p, stored).await,
        None => {
            // Still pay for a verification: a malformed password must not answer faster.
            let dummy = Password::parse("dummy-password-for-timing")
                .map_err(|e| Error::invalid("password", e))?;
            state.hasher.verify(&dummy, None).await
        }
    }
    .map_err(|e| match e {
        crate::crypto::CryptoError::Busy => Error::Busy,
        other => Error::Internal(anyhow::anyhow!("verifying a password: {other}")),
    })?;
    let (Some(u), Some(password), true) = (found, password, verification.ok && stored.is_some())
    else {
        throttle::failed(state, scope, Bucket::LoginIp, &ip).await;
        throttle::failed(state, scope, Bucket::LoginAccount, &account).await;
        // Failures while locked do not count: they must not keep an account locked forever.
        if let Some(e) = &email
            && !locked
        {
            record_failed_login(scope, meta, e).await?;
        }
        return Err(Error::invalid_credentials());
    };
    match u.status.as_str() {
        "active" => {}
        "pending" => {
            return Err(Error::Forbidden {
                code: "email_not_verified",
                message: "verify your email address first".into(),
            });
        }
        _ => {
            return Err(Error::Forbidden {
                code: "account_disabled",
                message: "this account is disabled".into(),
            });
        }
    }
    // Hash before taking the write lock: an upgrade costs a full argon2 run.
    let upgraded = if verification.needs_rehash {
        Some(hash_password(state, &password).await?)
    } else {
        None
    };
    let tx = scope.begin().await?;
    if u.failed_logins != 0 || u.locked_until.is_some() || upgraded.is_some() {
        let mut changes = user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(user::Column::Id.eq(u.id));
        if let Some(hash) = upgraded {
            changes = changes.col_expr(user::Column::PasswordHash, Expr::value(Some(hash)));
        }
        changes.exec(&*tx).await?;
    }
    challenge::finish_or_challenge(state, scope, tx, meta, u, "pwd", cookie).await
}

/// Counts a failed password login for an existing account, locking it after too many.
async fn record_failed_login(
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &EmailAddress,
) -> Result<()> {
    let tx = scope.begin().await?;
    let Some(u) = find_user(&tx, email).await? else {
        audit::record(&tx, meta, Event::failed(Actor::Anonymous, "auth.login")).await?;
        return tx.commit().await;
    };
    // Count in the database (concurrent failures must all count), then read the new total.
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedLogins,
            Expr::col(user::Column::FailedLogins).add(1),
        )
        .filter(user::Column::Id.eq(u.id))
        .exec(&*tx)
        .await?;
    let failures = user::Entity::find_by_id(u.id)
        .one(&*tx)
        .await?
        .map_or(u.failed_logins.saturating_add(1), |u| u.failed_logins);
    let locked = failures >= LOCK_AFTER_FAILURES;
    if locked {
        // 1, 2, 4 … minutes, at most an hour.
        let minutes = 1i64 << (failures - LOCK_AFTER_FAILURES).clamp(0, 6);
        let until = Utc::now() + chrono::Duration::minutes(Ord::min(minutes, 60));
        user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(Some(until)))
            .filter(user::Column::Id.eq(u.id))
            .exec(&*tx)
            .await?;
    }
    audit::record(
        &tx,
        meta,
        Event::failed(Actor::User(u.id), "auth.login")
            .details(serde_json::json!({ "failed_logins": failures, "locked": locked })),
    )
    .await?;
    tx.commit().await
}

/// `POST /auth/otp/send`: emails a one-time login code to an active account (202 either way).
pub async fn otp_send(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
) -> Result<()> {
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(state, scope, Bucket::OtpIp, &ip_key(scope, meta)).await?;
    send_code_quietly(
        state,
        scope,
        meta,
        &email,
        "active",
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
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &EmailAddress,
    status: &str,
    purpose: codes::Purpose,
    action: &'static str,
) -> Result<()> {
    if throttle::over_quietly(
        state,
        scope,
        Bucket::CodeSendAccount,
        &account_key(scope, email.as_str()),
    )
    .await
    {
        return Ok(());
    }
    let tenant = tenant_of(state, scope).await?;
    let mut tx = scope.begin().await?;
    let found = find_user(&tx, email).await?.filter(|u| u.status == status);
    if found.is_some() {
        codes::send(state, &mut tx, &tenant, email, purpose, None).await?;
    }
    let actor = found.map_or(Actor::Anonymous, |u| Actor::User(u.id));
    audit::record(&tx, meta, Event::ok(actor, action)).await?;
    tx.commit().await
}

/// `POST /auth/otp/verify`: the emailed login code signs an active account in (or, with MFA
/// on, answers a challenge for the second factor).
pub async fn otp_verify(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    email: &str,
    code: &str,
) -> Result<LoginOutcome> {
    let (tx, u, _) = consume_code(state, scope, meta, email, code, codes::Purpose::Login).await?;
    if u.status != "active" {
        return Err(invalid_code());
    }
    challenge::finish_or_challenge(state, scope, tx, meta, u, "otp", false).await
}

/// `POST /auth/token/refresh`: rotates the refresh token and signs a new access token.
pub async fn refresh(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    token: &str,
) -> Result<TokenPair> {
    let rotated = state.sessions.rotate(scope, token, meta).await?;
    pair::issue(
        state,
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
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    user_id: Uuid,
    session_id: Uuid,
    everywhere: bool,
) -> Result<()> {
    let tx = scope.begin().await?;
    let ended = if everywhere {
        state
            .sessions
            .revoke_all(&tx, user_id, None, "logout_all")
            .await?
    } else {
        state
            .sessions
            .revoke(&tx, session_id, Some(user_id), "logout")
            .await?;
        vec![session_id]
    };
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
    tx.commit().await?;
    state.sessions.forget(&ended).await;
    Ok(())
}
