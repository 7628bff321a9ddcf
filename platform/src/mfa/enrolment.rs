//! A signed-in user's own second factor: starting and confirming TOTP enrolment, new backup
//! codes, and turning MFA off. Enabling and disabling revoke the user's other sessions and email
//! an "MFA changed" notice; every step is audited, and wrong codes are throttled.

use crate::{accounts::Accounts, context::OpContext, mail::Mailer, tenants::Tenant};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{factors, wrong_code};
use crate::{
    accounts,
    audit::{self, Actor, Event},
    crypto::totp::TotpSecret,
    domain::EmailAddress,
    error::{Error, ErrorCode, Result},
    mail::messages::{MfaChange, MfaChanged, stamp},
    ratelimit::Bucket,
    store::{
        TenantTx,
        entities::{mfa_totp, session, user},
    },
    throttle::{self, Cell},
};

/// What an authenticator app needs to add the account.
#[derive(Debug)]
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// A PNG QR code of `otpauth_url`, base64.
    pub qr_png: String,
}

/// Who is asking: the signed-in user and their session.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The operation, by the signed-in user.
    pub ctx: &'a OpContext,
    pub user_id: Uuid,
    pub session_id: Uuid,
    /// The token is enrolment-only (the tenant requires MFA and the user has none yet): it
    /// comes straight from a sign-in and reaches nothing but enrolment.
    pub enrolment_only: bool,
}

/// Requires a fresh proof of `c` (see [`accounts::reauth`]). An enrolment-only token comes from
/// a sign-in the tenant's policy sent straight to enrolment: it counts as fresh for half an
/// hour after that sign-in (a refresh does not renew it).
async fn require_fresh(acc: &Accounts, c: &Caller<'_>, password: Option<&str>) -> Result<()> {
    let _meta = c.ctx.meta();
    if c.enrolment_only
        && password.is_none()
        && accounts::reauth::signed_in_within(
            c.ctx.scope(),
            c.user_id,
            c.session_id,
            accounts::reauth::ENROLMENT_FRESH_SECS,
        )
        .await?
    {
        return Ok(());
    }
    accounts::reauth::require_fresh(acc, c.ctx, c.user_id, c.session_id, password).await
}

fn account_key(c: &Caller<'_>) -> String {
    format!("{}:{}", c.ctx.scope().tenant_id(), c.user_id)
}

/// Reserves a failed code of the caller (by account and by address) before a check: refused
/// (`429`) when either is out of tries. Refund it when the code is right.
async fn reserve(acc: &Accounts, c: &Caller<'_>) -> Result<throttle::Reservation> {
    let meta = c.ctx.meta();
    let ip = accounts::ip_key(c.ctx.scope(), meta);
    throttle::reserve(
        &acc.throttle,
        Some(c.ctx.scope()),
        &[
            Cell::Tenant(Bucket::MfaAccount, &account_key(c)),
            Cell::Tenant(Bucket::MfaIp, &ip),
        ],
    )
    .await
}

/// Audits a failed code (its reservation is spent).
async fn failed(c: &Caller<'_>, action: &'static str) {
    let meta = c.ctx.meta();
    let audit = async {
        let tx = c.ctx.scope().begin().await?;
        audit::record(&tx, meta, Event::failed(Actor::User(c.user_id), action)).await?;
        tx.commit().await
    };
    if let Err(e) = audit.await {
        tracing::warn!(error = %e, "could not audit a failed MFA check");
    }
}

async fn load_user(tx: &TenantTx, user_id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(&**tx)
        .await?
        .ok_or_else(Error::unauthorized)
}

/// Queues the "MFA changed" notice.
pub(crate) async fn notify(
    mailer: &Mailer,
    tenant: &Tenant,
    tx: &mut TenantTx,
    u: &user::Model,
    change: MfaChange,
) -> Result<()> {
    mailer
        .queue(
            tx,
            &mailer.branding_for(&tenant.name),
            &EmailAddress::parse(&u.email)?,
            &MfaChanged {
                change,
                time: stamp(Utc::now()),
            },
        )
        .await
}

fn already_enabled() -> Error {
    Error::Conflict {
        code: ErrorCode::MfaAlreadyEnabled,
        message: "two-factor authentication is already on; turn it off first to enrol again".into(),
    }
}

/// `POST /me/mfa/totp`: a new secret for the caller, pending until confirmed. Starting again
/// replaces a pending secret; an enabled one must be turned off first. Needs a fresh proof
/// (`current_password`, or a sign-in in the last 5 minutes): the secret shown here is what
/// confirming takes, so a stolen access token alone cannot enrol an authenticator.
pub async fn start(
    acc: &Accounts,
    c: Caller<'_>,
    current_password: Option<&str>,
) -> Result<Enrolment> {
    let meta = c.ctx.meta();
    require_fresh(acc, &c, current_password).await?;
    let tenant = c.ctx.tenant().clone();
    let tx = c.ctx.scope().begin().await?;
    let u = load_user(&tx, c.user_id).await?;
    if factors::authenticator(&tx, c.user_id, true)
        .await?
        .is_some()
    {
        return Err(already_enabled());
    }
    let secret = TotpSecret::generate();
    let (otpauth_url, qr_png) = secret
        .provisioning(&tenant.name, &u.email)
        .map_err(|e| Error::Internal(anyhow::anyhow!("building the otpauth URL: {e}")))?;
    mfa_totp::Entity::delete_by_id(c.user_id).exec(&*tx).await?;
    mfa_totp::Entity::insert(mfa_totp::ActiveModel {
        user_id: Set(c.user_id),
        secret_sealed: Set(factors::seal_secret(
            acc,
            c.ctx.scope(),
            c.user_id,
            &secret,
        )?),
        confirmed_at: Set(None),
        last_used_step: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec(&*tx)
    .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(c.user_id), "mfa.enrollment_started"),
    )
    .await?;
    tx.commit().await?;
    Ok(Enrolment {
        secret: secret.to_base32(),
        otpauth_url,
        qr_png,
    })
}

/// Adds `factors` to the amr of session `sid` (the caller just proved them).
async fn add_to_session_amr(tx: &TenantTx, sid: Uuid, factors: &[&str]) -> Result<()> {
    let Some(s) = session::Entity::find_by_id(sid).one(&**tx).await? else {
        return Ok(());
    };
    let mut amr: Vec<String> = serde_json::from_str(&s.amr).unwrap_or_default();
    for f in factors {
        if !amr.iter().any(|a| a == f) {
            amr.push((*f).to_owned());
        }
    }
    session::Entity::update_many()
        .col_expr(
            session::Column::Amr,
            Expr::value(serde_json::to_string(&amr).unwrap_or_else(|_| "[]".into())),
        )
        .filter(session::Column::Id.eq(sid))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// `POST /me/mfa/totp/confirm`: a code from the app turns MFA on. Returns the backup codes
/// (shown this once); the user's other sessions are revoked and a notice is emailed.
pub async fn confirm(acc: &Accounts, c: Caller<'_>, code: &str) -> Result<Vec<String>> {
    let meta = c.ctx.meta();
    let held = reserve(acc, &c).await?;
    let mut tx = c.ctx.scope().begin().await?;
    let Some(row) = factors::authenticator(&tx, c.user_id, false).await? else {
        held.refund(&acc.throttle);
        return Err(
            if factors::authenticator(&tx, c.user_id, true)
                .await?
                .is_some()
            {
                already_enabled()
            } else {
                Error::Conflict {
                    code: ErrorCode::MfaEnrollmentNotStarted,
                    message: "start enrolment with POST /me/mfa/totp first".into(),
                }
            },
        );
    };
    if !factors::use_totp(acc, c.ctx.scope(), &tx, &row, code).await? {
        tx.rollback().await?;
        failed(&c, "mfa.enable").await;
        return Err(wrong_code());
    }
    held.refund(&acc.throttle);
    let now = Utc::now();
    mfa_totp::Entity::update_many()
        .col_expr(mfa_totp::Column::ConfirmedAt, Expr::value(Some(now)))
        .filter(mfa_totp::Column::UserId.eq(c.user_id))
        .exec(&*tx)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::MfaEnabled, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(c.user_id))
        .exec(&*tx)
        .await?;
    let codes = factors::new_backup_codes(acc, &tx, c.user_id).await?;
    add_to_session_amr(&tx, c.session_id, &["totp", "mfa"]).await?;
    let ended = crate::sessions::revoke_all(
        &tx,
        Actor::User(c.user_id),
        c.user_id,
        Some(c.session_id),
        "mfa_enabled",
    )
    .await?;
    let u = load_user(&tx, c.user_id).await?;
    notify(&acc.mailer, c.ctx.tenant(), &mut tx, &u, MfaChange::Enabled).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(c.user_id), "mfa.enabled")
            .details(serde_json::json!({ "method": "totp", "sessions_revoked": ended.len() })),
    )
    .await?;
    mfa_changed(&tx, c.user_id, true);
    tx.commit().await?;
    Ok(codes)
}

/// What proves the caller may turn MFA off.
#[derive(Debug)]
pub enum Proof<'a> {
    /// A current TOTP code.
    Code(&'a str),
    /// The account password.
    Password(&'a str),
}

/// `DELETE /me/mfa/totp`: with the password, or with a current code from a session that signed
/// in within the last 5 minutes, MFA goes off: the secret and backup codes are erased, other
/// sessions revoked, and a notice emailed.
pub async fn disable(acc: &Accounts, c: Caller<'_>, proof: Proof<'_>) -> Result<()> {
    let meta = c.ctx.meta();
    match proof {
        Proof::Password(p) => require_fresh(acc, &c, Some(p)).await?,
        Proof::Code(_) => require_fresh(acc, &c, None).await?,
    }
    let held = reserve(acc, &c).await?;
    let mut tx = c.ctx.scope().begin().await?;
    let Some(row) = factors::authenticator(&tx, c.user_id, true).await? else {
        held.refund(&acc.throttle);
        return Err(Error::Conflict {
            code: ErrorCode::MfaNotEnabled,
            message: "two-factor authentication is not on".into(),
        });
    };
    if let Proof::Code(code) = proof
        && !factors::use_totp(acc, c.ctx.scope(), &tx, &row, code).await?
    {
        tx.rollback().await?;
        failed(&c, "mfa.disable").await;
        return Err(wrong_code());
    }
    held.refund(&acc.throttle);
    factors::turn_off(&tx, c.user_id).await?;
    let ended = crate::sessions::revoke_all(
        &tx,
        Actor::User(c.user_id),
        c.user_id,
        Some(c.session_id),
        "mfa_disabled",
    )
    .await?;
    let u = load_user(&tx, c.user_id).await?;
    notify(
        &acc.mailer,
        c.ctx.tenant(),
        &mut tx,
        &u,
        MfaChange::Disabled,
    )
    .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(c.user_id), "mfa.disabled").details(serde_json::json!({
            "proof": match proof { Proof::Code(_) => "totp", Proof::Password(_) => "password" },
            "sessions_revoked": ended.len(),
        })),
    )
    .await?;
    mfa_changed(&tx, c.user_id, false);
    tx.commit().await
}

/// Records on `tx` that the user's own MFA went on or off: the cached user goes and a
/// `user.mfa_changed` event is written once it commits.
fn mfa_changed(tx: &TenantTx, user_id: Uuid, enabled: bool) {
    tx.invalidate(crate::store::Change::User { id: user_id });
    tx.emit(
        Actor::User(user_id),
        &crate::events::DomainEvent::MfaChanged {
            user: user_id,
            enabled,
        },
    );
}

/// `POST /me/mfa/backup-codes`: with a current code and a fresh proof (`current_password`, or a
/// sign-in in the last 5 minutes), a fresh set of backup codes replaces the old one (which
/// stops working at once).
pub async fn regenerate_backup_codes(
    acc: &Accounts,
    c: Caller<'_>,
    code: &str,
    current_password: Option<&str>,
) -> Result<Vec<String>> {
    let meta = c.ctx.meta();
    require_fresh(acc, &c, current_password).await?;
    let held = reserve(acc, &c).await?;
    let tx = c.ctx.scope().begin().await?;
    let Some(row) = factors::authenticator(&tx, c.user_id, true).await? else {
        held.refund(&acc.throttle);
        return Err(Error::Conflict {
            code: ErrorCode::MfaNotEnabled,
            message: "two-factor authentication is not on".into(),
        });
    };
    if !factors::use_totp(acc, c.ctx.scope(), &tx, &row, code).await? {
        tx.rollback().await?;
        failed(&c, "mfa.backup_codes_regenerated").await;
        return Err(wrong_code());
    }
    held.refund(&acc.throttle);
    let codes = factors::new_backup_codes(acc, &tx, c.user_id).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(c.user_id), "mfa.backup_codes_regenerated"),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// The caller's second-factor state, for `GET /me/mfa`.
#[derive(Debug)]
pub struct Status {
    pub enabled: bool,
    pub enrollment_pending: bool,
    pub backup_codes_left: u64,
    /// Whether the tenant's policy requires a second factor of this user.
    pub required: bool,
}

/// `GET /me/mfa`.
pub async fn status(c: Caller<'_>) -> Result<Status> {
    let tx = c.ctx.scope().read().await?;
    let u = load_user(&tx, c.user_id).await?;
    let row = mfa_totp::Entity::find_by_id(c.user_id).one(&*tx).await?;
    let left = factors::backup_codes_left(&tx, c.user_id).await?;
    let settings = c.ctx.settings_in(&tx).await?;
    tx.commit().await?;
    Ok(Status {
        enabled: u.mfa_enabled,
        enrollment_pending: row.is_some_and(|r| r.confirmed_at.is_none()),
        backup_codes_left: if u.mfa_enabled { left } else { 0 },
        required: settings
            .mfa_policy
            .requires(&u.role, &settings.custom_roles),
    })
}
