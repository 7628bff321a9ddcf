//! Every session in a tenant, as its admins see them: list (optionally one member's), revoke
//! one, or revoke all of a member's. Revocations take effect at once, and no one ends the
//! sessions of a member whose role holds permissions they do not (see [`By::may_manage`]).

use crate::authz::SessionsRevoke;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    audit::{self, Event},
    authz::{By, Granted, SessionsRead, beyond_own_rights},
    error::{Error, Result},
    store::entities::{session, user},
};

/// The live sessions of `scope` (of `user_id` only, when given), newest first, a page at a time.
pub async fn list(
    granted: &Granted<SessionsRead>,
    user_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<(Vec<session::Model>, Option<String>)> {
    let limit = crate::paging::limit(limit)?;
    let now = Utc::now();
    let mut q = session::Entity::find()
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::IdleExpiresAt.gt(now));
    if let Some(u) = user_id {
        q = q.filter(session::Column::UserId.eq(u));
    }
    if let Some(id) = crate::paging::cursor(cursor)? {
        q = q.filter(session::Column::Id.lt(id));
    }
    let tx = granted.scope().read().await?;
    let rows = q
        .order_by_desc(session::Column::Id)
        .limit(limit + 1)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    Ok(crate::paging::split(rows, limit, |s| s.id))
}

/// Refuses when `by` may not act on `holder` (a member whose role holds more than theirs).
async fn refuse_beyond_rights(tx: &crate::store::TenantTx, by: &By, holder: Uuid) -> Result<()> {
    if by.member_id == Some(holder) {
        return Ok(());
    }
    if let Some(u) = user::Entity::find_by_id(holder).one(&**tx).await?
        && !by.may_manage(&u.role)
    {
        return Err(beyond_own_rights(&u.role));
    }
    Ok(())
}

/// Revokes session `sid` of the tenant (`404` when there is no such live session), on behalf
/// of `by`.
pub async fn revoke(granted: &Granted<SessionsRevoke>, sid: Uuid) -> Result<()> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let tx = scope.begin().await?;
    let owner = session::Entity::find_by_id(sid)
        .one(&*tx)
        .await?
        .map(|s| s.user_id);
    if let Some(holder) = owner {
        refuse_beyond_rights(&tx, by, holder).await?;
    }
    if !crate::sessions::revoke(&tx, by.actor, sid, None, "revoked_by_admin").await? {
        return Err(Error::NotFound("session"));
    }
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "session.revoked")
            .target("session", sid)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "user_id": owner.map(|u| u.to_string()) })),
    )
    .await?;
    tx.commit().await
}

/// Revokes every live session of member `user_id` (`404` for no such member); returns how many.
pub async fn revoke_user(granted: &Granted<SessionsRevoke>, user_id: Uuid) -> Result<usize> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let tx = scope.begin().await?;
    if user::Entity::find_by_id(user_id).one(&*tx).await?.is_none() {
        return Err(Error::NotFound("member"));
    }
    refuse_beyond_rights(&tx, by, user_id).await?;
    let ended =
        crate::sessions::revoke_all(&tx, by.actor, user_id, None, "revoked_by_admin").await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "session.revoked_all")
            .target("user", user_id)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "sessions": ended.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(ended.len())
}
