//! Signing up: registering with a password, the emailed verification code, and resending it.
//! Every answer is the same whether or not the address is taken.

use crate::throttle;
use chrono::Utc;
use email_templates::Message;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Event},
    context::OpContext,
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    ratelimit::Bucket,
    signin::TokenPair,
    store::{Change, TenantTx, entities::user},
    users::UserStatus,
};

use super::{
    Accounts, codes, consume_code, find_user, hash_password, invalid_code, ip_key, password_policy,
    send_code_quietly,
};

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
