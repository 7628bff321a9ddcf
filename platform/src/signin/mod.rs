//! Signing in, after a first factor: a session and its token pair, or a challenge for the
//! second factor. Every way in (password, emailed code, invitation, MFA, and the OpenID
//! Provider's pages to come) ends here, so what a sign-in records and sends is decided once.

pub mod pair;

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use pair::TokenPair;

use crate::{
    audit::{self, Actor, Event},
    context::OpContext,
    crypto::codes::{new_opaque_token, token_hash},
    domain::EmailAddress,
    error::Result,
    mail::Mailer,
    store::{
        TenantTx,
        entities::{mfa_challenge, session, user},
    },
    tokens::Keys,
};

/// What signing in uses: the tenants' signing keys, the issuer URL and the mailer (for the
/// new-sign-in alert). Cheap to clone.
#[derive(Clone)]
pub struct Signin {
    keys: Keys,
    public_url: Arc<str>,
    mailer: Mailer,
}

impl std::fmt::Debug for Signin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signin")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Signin {
    /// Signs with `keys` as issuer `public_url`, alerting through `mailer`.
    pub fn new(keys: Keys, public_url: &str, mailer: Mailer) -> Self {
        Self {
            keys,
            public_url: public_url.into(),
            mailer,
        }
    }
}

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

/// Starts a session for `u` inside `tx`, audits the login, commits and returns the pair.
pub(crate) async fn finish_login(
    signin: &Signin,
    ctx: &OpContext,
    mut tx: TenantTx,
    u: user::Model,
    amr: &[&str],
) -> Result<TokenPair> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let settings = ctx.settings_in(&tx).await?;
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
    let (session, refresh) = crate::sessions::start(&tx, u.id, amr, meta, &settings).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(u.id), "auth.login")
            .target("session", session.id)
            .details(serde_json::json!({ "amr": amr })),
    )
    .await?;
    if settings.new_sign_in_alert && !seen_here && !first_session {
        let email = EmailAddress::parse(&u.email)?;
        signin
            .mailer
            .queue(
                &mut tx,
                &signin.mailer.branding_for(&ctx.tenant().name),
                &email,
                &crate::mail::messages::NewSignIn {
                    ip: meta.ip.clone().unwrap_or_default(),
                    user_agent: meta.user_agent.clone().unwrap_or_else(|| "unknown".into()),
                    time: crate::mail::messages::stamp(Utc::now()),
                },
            )
            .await?;
    }
    tx.commit().await?;
    pair::issue(signin, scope, &settings, u, &session, refresh).await
}

/// After a first factor (`first`: `pwd` or `otp`) for `u` inside `tx`: signs in when `u` has
/// no second factor, or records a challenge and answers with its token.
pub async fn finish_or_challenge(
    signin: &Signin,
    ctx: &OpContext,
    tx: TenantTx,
    u: user::Model,
    first: &'static str,
    cookie: bool,
) -> Result<LoginOutcome> {
    let meta = ctx.meta();
    if !u.mfa_enabled {
        let pair = finish_login(signin, ctx, tx, u, &[first]).await?;
        return Ok(LoginOutcome::Signed(Box::new(pair)));
    }
    let settings = ctx.settings_in(&tx).await?;
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
