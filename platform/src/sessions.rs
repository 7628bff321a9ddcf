//! Sessions: created at login, kept alive by rotating single-use refresh tokens, checked on every
//! authenticated request through a liveness cache that a revocation clears at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use moka::future::Cache;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Event, RequestMeta},
    crypto::codes::{new_opaque_token, token_hash},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    settings::TenantSettings,
    store::{
        Change, TenantScope, TenantTx,
        entities::{refresh_token, session, user},
    },
    users::UserStatus,
};

/// What the liveness cache remembers of a session.
#[derive(Clone, Copy, Debug)]
struct Liveness {
    user_id: Uuid,
    live_until: DateTime<Utc>,
    revoked: bool,
}

/// A refreshed session: the session, its user and the new refresh token.
#[derive(Debug)]
pub struct Rotated {
    pub session: session::Model,
    pub user: user::Model,
    pub refresh_token: String,
    /// The tenant's settings, read in the rotation's transaction.
    pub settings: TenantSettings,
}

/// Whether a spent refresh token `row` may be exchanged again: the tenant allows a grace, the
/// token was spent within it, it is the newest spent token of its live `session` (nothing was
/// exchanged after it), and the client passes the session's refresh binding.
async fn within_grace(
    tx: &TenantTx,
    row: &refresh_token::Model,
    session: &session::Model,
    settings: &TenantSettings,
    now: DateTime<Utc>,
    meta: &RequestMeta,
) -> Result<bool> {
    let grace = chrono::Duration::seconds(i64::from(settings.refresh_reuse_grace_secs));
    let Some(used_at) = row.used_at else {
        return Ok(false);
    };
    if settings.refresh_reuse_grace_secs == 0
        || now - used_at > grace
        || session.revoked_at.is_some()
        || session.expires_at <= now
        || session.idle_expires_at <= now
        || !settings.refresh_binding.allows(
            session.ip.as_deref(),
            session.user_agent.as_deref(),
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
    {
        return Ok(false);
    }
    let later = refresh_token::Entity::find()
        .filter(refresh_token::Column::SessionId.eq(session.id))
        .filter(refresh_token::Column::UsedAt.gt(used_at))
        .one(&**tx)
        .await?;
    Ok(later.is_none())
}

/// Session operations and the liveness cache; cheap to clone.
#[derive(Clone, Debug)]
pub struct Sessions {
    live: Cache<Uuid, Liveness>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

fn refresh_row(session_id: Uuid, token: &str) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(token_hash(token)),
        created_at: Set(Utc::now()),
        used_at: Set(None),
    }
}

/// Records on `tx` that sessions `ids` ended: their cached liveness goes and a
/// `session.revoked` event is written, once `tx` commits.
fn ended(tx: &TenantTx, by: Actor, ids: &[Uuid], reason: &str) {
    tx.invalidate(Change::Sessions { ids: ids.to_vec() });
    for id in ids {
        tx.emit(
            by,
            &DomainEvent::SessionRevoked {
                session: *id,
                reason: reason.to_owned(),
            },
        );
    }
}

impl Sessions {
    /// An empty liveness cache. Revocations reach it, and the other instances, through the
    /// transaction that made them ([`TenantTx::invalidate`]); entries live 30 s at most,
    /// bounding how stale a cache can be if a notification is lost.
    pub fn new() -> Self {
        Self {
            live: Cache::builder()
                .max_capacity(1_000_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
        }
    }

    /// Whether session `sid` of `user_id` is live (not revoked, not expired), through the cache.
    pub async fn is_live(&self, scope: &TenantScope, sid: Uuid, user_id: Uuid) -> Result<bool> {
        let now = Utc::now();
        // A cached entry past its idle expiry may be stale: another instance may have extended
        // the session by a refresh (rotations are not broadcast), so ask the database again.
        let entry = match self.live.get(&sid).await {
            Some(e) if e.revoked || e.live_until > now => e,
            _ => {
                let tx = scope.read().await?;
                let row = session::Entity::find_by_id(sid).one(&*tx).await?;
                tx.commit().await?;
                let Some(row) = row else { return Ok(false) };
                let e = Liveness {
                    user_id: row.user_id,
                    live_until: row.idle_expires_at.min(row.expires_at),
                    revoked: row.revoked_at.is_some(),
                };
                self.live.insert(sid, e).await;
                e
            }
        };
        Ok(!entry.revoked && entry.user_id == user_id && entry.live_until > now)
    }

    /// Forgets cached liveness of `sids` in this process only.
    pub async fn forget_local(&self, sids: &[Uuid]) {
        for sid in sids {
            self.live.invalidate(sid).await;
        }
    }

    /// Forgets every cached liveness in this process (the notifications may have been missed).
    pub fn forget_all_local(&self) {
        self.live.invalidate_all();
    }
}

/// Exchanges a refresh token for a new one. A token that was already used revokes its whole
/// session (someone holds a copy) and is audited; any failure is the same 401.
pub async fn rotate(scope: &TenantScope, token: &str, meta: &RequestMeta) -> Result<Rotated> {
    let denied = || Error::Unauthorized {
        code: ErrorCode::InvalidRefreshToken,
        message: "the refresh token is invalid, expired or revoked",
    };
    if token.is_empty() || token.len() > 128 {
        return Err(denied());
    }
    let tx = scope.begin().await?;
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(&*tx)
        .await?
    else {
        return Err(denied());
    };
    let session = session::Entity::find_by_id(row.session_id)
        .one(&*tx)
        .await?
        .ok_or_else(denied)?;
    // In the same transaction: a rotation is a hot path, and each transaction costs round
    // trips (begin, search path, commit).
    let settings = TenantSettings::load(&tx).await?;
    // A bound token refreshed from elsewhere is refused but not spent: it keeps working
    // where it belongs. (A spent one is reuse, whoever presents it.)
    if row.used_at.is_none()
        && !settings.refresh_binding.allows(
            session.ip.as_deref(),
            session.user_agent.as_deref(),
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
    {
        audit::record(
            &tx,
            meta,
            Event::failed(Actor::User(session.user_id), "auth.refresh_refused")
                .target("session", session.id)
                .details(serde_json::json!({ "reason": "refresh_binding" })),
        )
        .await?;
        tx.commit().await?;
        return Err(denied());
    }
    let now = Utc::now();
    // Claim the token; a second presenter (or a concurrent one) finds it used.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&*tx)
        .await?
        .rows_affected
        == 1;
    if !claimed && within_grace(&tx, &row, &session, &settings, now, meta).await? {
        // The session's newest spent token again, within the tenant's grace: a fresh pair.
        // The token it was first exchanged for is spent now, so the session keeps one live
        // chain: whoever goes on with the other one is caught as a reuse.
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
            .filter(refresh_token::Column::SessionId.eq(session.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&*tx)
            .await?;
        return extend(tx, session, settings, meta, now).await;
    }
    if !claimed {
        let revoked = revoke(
            &tx,
            Actor::User(session.user_id),
            session.id,
            None,
            "refresh_token_reuse",
        )
        .await?;
        audit::record(
            &tx,
            meta,
            Event::failed(Actor::User(session.user_id), "auth.refresh_reuse")
                .target("session", session.id)
                .details(serde_json::json!({ "session_revoked": revoked })),
        )
        .await?;
        tx.commit().await?;
        return Err(denied());
    }
    if session.revoked_at.is_some() || session.expires_at <= now || session.idle_expires_at <= now {
        return Err(denied());
    }
    extend(tx, session, settings, meta, now).await
}

/// Issues a new refresh token for a live `session` inside `tx`, extends its idle expiry,
/// audits and commits.
async fn extend(
    tx: TenantTx,
    session: session::Model,
    settings: TenantSettings,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> Result<Rotated> {
    let denied = || Error::Unauthorized {
        code: ErrorCode::InvalidRefreshToken,
        message: "the refresh token is invalid, expired or revoked",
    };
    let user = user::Entity::find_by_id(session.user_id)
        .one(&*tx)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(denied)?;
    let new_token = new_opaque_token();
    refresh_token::Entity::insert(refresh_row(session.id, &new_token))
        .exec(&*tx)
        .await?;
    let idle = (now + chrono::Duration::seconds(i64::from(settings.session_idle_secs)))
        .min(session.expires_at);
    let mut updated = session.clone();
    updated.last_seen_at = now;
    updated.idle_expires_at = idle;
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::IdleExpiresAt, Expr::value(idle))
        .filter(session::Column::Id.eq(session.id))
        .exec(&*tx)
        .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(user.id), "auth.refresh").target("session", session.id),
    )
    .await?;
    tx.commit().await?;
    // A rotation only extends the session: no cache forgets it and nothing is broadcast, as
    // an entry past its end is read again (see `is_live`).
    Ok(Rotated {
        session: updated,
        user,
        refresh_token: new_token,
        settings,
    })
}

/// Starts a session for `user_id`; returns it and its first refresh token.
pub async fn start(
    tx: &TenantTx,
    user_id: Uuid,
    amr: &[&str],
    meta: &RequestMeta,
    settings: &TenantSettings,
) -> Result<(session::Model, String)> {
    let now = Utc::now();
    let expires_at = now + chrono::Duration::seconds(i64::from(settings.session_absolute_secs));
    let idle =
        (now + chrono::Duration::seconds(i64::from(settings.session_idle_secs))).min(expires_at);
    let model = session::Model {
        id: Uuid::now_v7(),
        user_id,
        amr: serde_json::to_string(amr).unwrap_or_else(|_| "[]".into()),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: idle,
        expires_at,
        revoked_at: None,
        revoke_reason: None,
    };
    session::Entity::insert(session::ActiveModel::from(model.clone()))
        .exec(&**tx)
        .await?;
    let token = new_opaque_token();
    refresh_token::Entity::insert(refresh_row(model.id, &token))
        .exec(&**tx)
        .await?;
    tx.emit(
        Actor::User(user_id),
        &DomainEvent::SessionCreated {
            session: model.id,
            user: user_id,
        },
    );
    Ok((model, token))
}

/// Revokes one session of `user_id` (`None`: of any user) on behalf of `by`; false when
/// there was none live. Once `tx` commits the session is dead on every instance.
pub async fn revoke(
    tx: &TenantTx,
    by: Actor,
    sid: Uuid,
    user_id: Option<Uuid>,
    reason: &str,
) -> Result<bool> {
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .col_expr(
            session::Column::RevokeReason,
            Expr::value(Some(reason.to_owned())),
        )
        .filter(session::Column::Id.eq(sid))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(u) = user_id {
        q = q.filter(session::Column::UserId.eq(u));
    }
    let revoked = q.exec(&**tx).await?.rows_affected == 1;
    if revoked {
        ended(tx, by, &[sid], reason);
    }
    Ok(revoked)
}

/// Revokes every live session of `user_id` except `keep` on behalf of `by`; returns the
/// revoked ids. Once `tx` commits they are dead on every instance.
pub async fn revoke_all(
    tx: &TenantTx,
    by: Actor,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
) -> Result<Vec<Uuid>> {
    let mut q = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        q = q.filter(session::Column::Id.ne(k));
    }
    let ids: Vec<Uuid> = q.all(&**tx).await?.into_iter().map(|s| s.id).collect();
    if !ids.is_empty() {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(Utc::now())))
            .col_expr(
                session::Column::RevokeReason,
                Expr::value(Some(reason.to_owned())),
            )
            .filter(session::Column::Id.is_in(ids.clone()))
            .exec(&**tx)
            .await?;
        ended(tx, by, &ids, reason);
    }
    Ok(ids)
}

/// The live sessions of `user_id`, newest first.
pub async fn list(scope: &TenantScope, user_id: Uuid) -> Result<Vec<session::Model>> {
    let now = Utc::now();
    let tx = scope.read().await?;
    let rows = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::IdleExpiresAt.gt(now))
        .order_by_desc(session::Column::CreatedAt)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}
