//! Operator sign-in: the password always leads to a TOTP challenge (operators cannot skip the
//! second factor), then a token pair signed with the platform key; refresh tokens rotate once
//! used (a reused one revokes the session); sessions are checked on every request.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use moka::future::Cache;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    audit::{self, Entry},
    keys::{OPERATOR_AUDIENCE, OPERATOR_TENANT, platform_key},
    permissions,
};
use crate::{
    audit::RequestMeta,
    authz::OperatorCaller,
    crypto::{
        codes::{new_opaque_token, token_hash},
        jwt::AccessClaims,
    },
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    operators::Operators,
    ratelimit::Bucket,
    store::entities::{operator, operator_challenge, operator_refresh_token, operator_session},
    throttle::{Cell, reserve},
};

/// Operator access tokens live this long.
pub const ACCESS_TTL_SECS: u32 = 900;
/// An operator session ends after this long without a refresh.
pub const IDLE_SECS: i64 = 8 * 3600;
/// An operator session ends this long after its login, whatever happens.
pub const ABSOLUTE_SECS: i64 = 24 * 3600;
/// An `mfa_token` lives this long, for this many attempts.
const CHALLENGE_SECS: i64 = 300;
const CHALLENGE_ATTEMPTS: i32 = 5;

/// What the liveness cache keeps of a session: its operator, until when it lives, whether it
/// (or its operator) was revoked, and the operator's role as the database has it.
type Liveness = (Uuid, DateTime<Utc>, bool, String);

/// Process-wide operator ops: the platform key and a liveness cache of sessions.
#[derive(Clone, Default)]
pub struct OperatorState {
    pub key: Arc<tokio::sync::OnceCell<Arc<super::keys::PlatformKey>>>,
    live: Option<Cache<Uuid, Liveness>>,
}

impl std::fmt::Debug for OperatorState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OperatorState")
    }
}

impl OperatorState {
    /// Empty ops; session liveness is cached for at most 30 s, and sign-outs reach it and the
    /// other instances when they commit.
    pub fn new() -> Self {
        Self {
            key: Arc::default(),
            live: Some(
                Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(Duration::from_secs(30))
                    .build(),
            ),
        }
    }

    /// Forgets session `sid` in this process only.
    pub async fn forget_local(&self, sid: Uuid) {
        if let Some(c) = &self.live {
            c.invalidate(&sid).await;
        }
    }

    /// Forgets every cached session in this process.
    pub fn forget_all_local(&self) {
        if let Some(c) = &self.live {
            c.invalidate_all();
        }
    }
}

/// A signed-in operator's token pair.
#[derive(Debug)]
pub struct OperatorPair {
    pub access_token: String,
    pub expires_in: u32,
    pub refresh_token: String,
    pub session_id: Uuid,
    pub operator: operator::Model,
}

/// The answer to a right password: the second step's token.
#[derive(Debug)]
pub struct OperatorChallenge {
    pub mfa_token: String,
    pub expires_in: u32,
}

fn throttle_key(meta: &RequestMeta) -> String {
    format!("admin:{}", crate::accounts::ip_class(meta))
}

/// `POST /v1/admin/auth/login`: a right password answers a TOTP challenge; anything else is
/// the same `401 invalid_credentials`, at the same cost.
pub async fn login(
    ops: &Operators,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<OperatorChallenge> {
    let ip = throttle_key(meta);
    let account = format!("admin:{}", email.trim().to_lowercase());
    // Reserved before the hash, refunded on success: a burst gets no more checks than allowed.
    let held = reserve(
        &ops.throttle,
        None,
        &[
            Cell::Platform(Bucket::LoginIp, &ip),
            Cell::Platform(Bucket::LoginAccount, &account),
        ],
    )
    .await?;
    if let Err(e) = crate::throttle::platform_hash_budget(&ops.throttle, meta).await {
        held.refund(&ops.throttle);
        return Err(e);
    }
    let found = match EmailAddress::parse(email) {
        Ok(e) => {
            operator::Entity::find()
                .filter(operator::Column::Email.eq(e.as_str()))
                .one(ops.store.control())
                .await?
        }
        Err(_) => None,
    };
    let password = Password::parse(password)
        .or_else(|_| Password::parse("dummy-password-for-timing"))
        .map_err(|e| Error::invalid("password", e))?;
    let stored = found
        .as_ref()
        .filter(|o| o.status == "active")
        .map(|o| o.password_hash.as_str());
    let verified = ops
        .hasher
        .verify(&password, stored)
        .await
        .map_err(Error::from)?;
    let Some(op) = found.filter(|o| verified.ok && o.status == "active") else {
        drop(held);
        audit::record(&ops.store, meta, Entry::failed(None, "operator.login")).await?;
        return Err(Error::invalid_credentials());
    };
    held.refund(&ops.throttle);
    let token = new_opaque_token();
    let now = Utc::now();
    operator_challenge::Entity::insert(operator_challenge::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token_hash(&token)),
        operator_id: Set(op.id),
        attempts: Set(0),
        expires_at: Set(now + chrono::Duration::seconds(CHALLENGE_SECS)),
        created_at: Set(now),
    })
    .exec(ops.store.control())
    .await?;
    Ok(OperatorChallenge {
        mfa_token: token,
        expires_in: u32::try_from(CHALLENGE_SECS).unwrap_or(300),
    })
}

/// `POST /v1/admin/auth/login/mfa`: the TOTP code (each step accepted once) completes the
/// login.
pub async fn login_mfa(
    ops: &Operators,
    meta: &RequestMeta,
    mfa_token: &str,
    code: &str,
) -> Result<OperatorPair> {
    let ip = throttle_key(meta);
    let by_ip = reserve(&ops.throttle, None, &[Cell::Platform(Bucket::MfaIp, &ip)]).await?;
    let invalid = || Error::Unauthorized {
        code: ErrorCode::InvalidMfaToken,
        message: "the MFA token is invalid, used or expired; sign in again",
    };
    let control = ops.store.control();
    if mfa_token.is_empty() || mfa_token.len() > 128 {
        return Err(invalid());
    }
    let Some(ch) = operator_challenge::Entity::find()
        .filter(operator_challenge::Column::TokenHash.eq(token_hash(mfa_token)))
        .one(control)
        .await?
    else {
        return Err(invalid());
    };
    let taken = operator_challenge::Entity::update_many()
        .col_expr(
            operator_challenge::Column::Attempts,
            Expr::col(operator_challenge::Column::Attempts).add(1),
        )
        .filter(operator_challenge::Column::Id.eq(ch.id))
        .filter(operator_challenge::Column::Attempts.lt(CHALLENGE_ATTEMPTS))
        .filter(operator_challenge::Column::ExpiresAt.gt(Utc::now()))
        .exec(control)
        .await?
        .rows_affected;
    let op = operator::Entity::find_by_id(ch.operator_id)
        .one(control)
        .await?;
    let Some(op) = op.filter(|o| taken == 1 && o.status == "active") else {
        operator_challenge::Entity::delete_by_id(ch.id)
            .exec(control)
            .await?;
        return Err(invalid());
    };
    let account = format!("admin-mfa:{}", op.id);
    let by_account = reserve(
        &ops.throttle,
        None,
        &[Cell::Platform(Bucket::MfaAccount, &account)],
    )
    .await?;
    let secret = super::totp_secret(ops, &op)?;
    let now_unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let claimed = match secret.verify(code, now_unix, op.totp_last_step) {
        Some(step) => {
            operator::Entity::update_many()
                .col_expr(operator::Column::TotpLastStep, Expr::value(Some(step)))
                .filter(operator::Column::Id.eq(op.id))
                .filter(
                    sea_orm::Condition::any()
                        .add(operator::Column::TotpLastStep.is_null())
                        .add(operator::Column::TotpLastStep.lt(step)),
                )
                .exec(control)
                .await?
                .rows_affected
                == 1
        }
        None => false,
    };
    if !claimed {
        drop((by_ip, by_account));
        audit::record(
            &ops.store,
            meta,
            Entry::failed(Some(op.id), "operator.login_mfa"),
        )
        .await?;
        return Err(Error::invalid_mfa_code());
    }
    // Consumed once: of two requests racing with the same token, one signs in.
    let consumed = operator_challenge::Entity::delete_by_id(ch.id)
        .exec(control)
        .await?
        .rows_affected;
    if consumed != 1 {
        return Err(invalid());
    }
    by_ip.refund(&ops.throttle);
    by_account.refund(&ops.throttle);
    let now = Utc::now();
    let session = operator_session::Model {
        id: Uuid::now_v7(),
        operator_id: op.id,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        created_at: now,
        idle_expires_at: now + chrono::Duration::seconds(IDLE_SECS),
        expires_at: now + chrono::Duration::seconds(ABSOLUTE_SECS),
        revoked_at: None,
    };
    operator_session::Entity::insert(operator_session::ActiveModel::from(session.clone()))
        .exec(control)
        .await?;
    let refresh = new_refresh(ops, session.id).await?;
    audit::record(
        &ops.store,
        meta,
        Entry::new(Some(op.id), "operator.login").target("session", session.id),
    )
    .await?;
    issue(ops, op, &session, refresh).await
}

async fn new_refresh(ops: &Operators, session_id: Uuid) -> Result<String> {
    let token = new_opaque_token();
    operator_refresh_token::Entity::insert(operator_refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(Utc::now()),
        used_at: Set(None),
    })
    .exec(ops.store.control())
    .await?;
    Ok(token)
}

async fn issue(
    ops: &Operators,
    op: operator::Model,
    session: &operator_session::Model,
    refresh_token: String,
) -> Result<OperatorPair> {
    let key = platform_key(ops).await?;
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        iss: format!("{}/v1/admin", ops.public_url),
        sub: op.id.to_string(),
        aud: OPERATOR_AUDIENCE.into(),
        exp: now + i64::from(ACCESS_TTL_SECS),
        iat: now,
        nbf: now,
        jti: Uuid::now_v7().to_string(),
        tenant_id: OPERATOR_TENANT.into(),
        sid: session.id.to_string(),
        role: op.role.clone(),
        permissions: permissions(&op.role)
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        amr: vec!["pwd".into(), "totp".into(), "mfa".into()],
        token_use: "access".into(),
        mfa_enrollment_required: false,
    };
    let access_token = key
        .signer
        .sign(&claims)
        .map_err(|e| Error::Internal(anyhow::anyhow!("signing an operator token: {e}")))?;
    Ok(OperatorPair {
        access_token,
        expires_in: ACCESS_TTL_SECS,
        refresh_token,
        session_id: session.id,
        operator: op,
    })
}

fn invalid_refresh() -> Error {
    Error::Unauthorized {
        code: ErrorCode::InvalidRefreshToken,
        message: "the refresh token is invalid, expired or revoked",
    }
}

/// `POST /v1/admin/auth/token/refresh`: rotates the refresh token; a reused one revokes the
/// whole session.
pub async fn refresh(ops: &Operators, meta: &RequestMeta, token: &str) -> Result<OperatorPair> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_refresh());
    }
    let control = ops.store.control();
    let Some(row) = operator_refresh_token::Entity::find()
        .filter(operator_refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(control)
        .await?
    else {
        return Err(invalid_refresh());
    };
    let now = Utc::now();
    let used = operator_refresh_token::Entity::update_many()
        .col_expr(
            operator_refresh_token::Column::UsedAt,
            Expr::value(Some(now)),
        )
        .filter(operator_refresh_token::Column::Id.eq(row.id))
        .filter(operator_refresh_token::Column::UsedAt.is_null())
        .exec(control)
        .await?
        .rows_affected;
    if used != 1 {
        revoke(ops, row.session_id).await?;
        audit::record(
            &ops.store,
            meta,
            Entry::failed(None, "operator.refresh_reused").target("session", row.session_id),
        )
        .await?;
        return Err(invalid_refresh());
    }
    let session = operator_session::Entity::find_by_id(row.session_id)
        .one(control)
        .await?
        .filter(|s| s.revoked_at.is_none() && s.expires_at > now && s.idle_expires_at > now)
        .ok_or_else(invalid_refresh)?;
    let op = operator::Entity::find_by_id(session.operator_id)
        .one(control)
        .await?
        .filter(|o| o.status == "active")
        .ok_or_else(invalid_refresh)?;
    let idle = Ord::min(
        now + chrono::Duration::seconds(IDLE_SECS),
        session.expires_at,
    );
    operator_session::Entity::update_many()
        .col_expr(operator_session::Column::IdleExpiresAt, Expr::value(idle))
        .filter(operator_session::Column::Id.eq(session.id))
        .exec(control)
        .await?;
    // Only extended: nothing to forget or broadcast (a cached entry past its end is read again).
    let refresh = new_refresh(ops, session.id).await?;
    issue(ops, op, &session, refresh).await
}

/// Ends operator session `sid` at once.
pub async fn revoke(ops: &Operators, sid: Uuid) -> Result<()> {
    let tx = ops.store.begin_control().await?;
    operator_session::Entity::update_many()
        .col_expr(
            operator_session::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(operator_session::Column::Id.eq(sid))
        .filter(operator_session::Column::RevokedAt.is_null())
        .exec(&*tx)
        .await?;
    tx.invalidate(crate::store::Change::OperatorSession { id: sid });
    tx.commit().await
}

/// Checks an operator access token: the platform key's signature, `exp`/`nbf` with
/// `leeway_secs`, the operator audience, and a live session of an active operator.
pub async fn authenticate(
    ops: &Operators,
    token: &str,
    leeway_secs: u64,
) -> Result<Option<OperatorCaller>> {
    let key = platform_key(ops).await?;
    let Ok(claims) = key
        .verifier
        .verify(token, OPERATOR_TENANT, OPERATOR_AUDIENCE, leeway_secs)
    else {
        return Ok(None);
    };
    if claims.token_use != crate::crypto::jwt::ACCESS_TOKEN_USE {
        return Ok(None);
    }
    let (Ok(id), Ok(sid)) = (Uuid::parse_str(&claims.sub), Uuid::parse_str(&claims.sid)) else {
        return Ok(None);
    };
    let cached = match &ops.cache.live {
        Some(c) => c.get(&sid).await,
        None => None,
    };
    // An entry past its end may be stale (a refresh on any instance extends the session, and
    // rotations are not broadcast): read the session again.
    let now = Utc::now();
    let (owner, until, revoked, role) = match cached {
        Some(e) if e.2 || e.1 > now => e,
        _ => {
            let Some(s) = operator_session::Entity::find_by_id(sid)
                .one(ops.store.control())
                .await?
            else {
                return Ok(None);
            };
            let op = operator::Entity::find_by_id(s.operator_id)
                .one(ops.store.control())
                .await?;
            let op_active = op.as_ref().is_some_and(|o| o.status == "active");
            let e = (
                s.operator_id,
                Ord::min(s.idle_expires_at, s.expires_at),
                s.revoked_at.is_some() || !op_active,
                op.map(|o| o.role).unwrap_or_default(),
            );
            if let Some(c) = &ops.cache.live {
                c.insert(sid, e.clone()).await;
            }
            e
        }
    };
    if revoked || owner != id || until <= now {
        return Ok(None);
    }
    // The role as stored (cached at most 30 s), not as frozen in the token.
    Ok(Some(OperatorCaller {
        id,
        session_id: sid,
        role,
    }))
}
