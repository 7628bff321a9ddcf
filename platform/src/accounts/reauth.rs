//! Fresh proof for the changes a stolen access token must not make (turning a second factor on
//! or off, new backup codes, a first password): the current password, or a sign-in within the
//! last [`FRESH_SECS`] (the session's own start, its `auth_time`).

use crate::{accounts::Accounts, context::OpContext};
use chrono::Utc;
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::{
    error::{Error, ErrorCode, Result},
    store::{TenantScope, entities::session},
};

/// How long after signing in a session may make sensitive changes without the password.
pub const FRESH_SECS: i64 = 300;

/// The answer when neither proof is there.
pub fn reauthentication_required() -> Error {
    Error::Forbidden {
        code: ErrorCode::ReauthenticationRequired,
        message: format!(
            "this change needs a sign-in within the last {} minutes, or the current password \
             (`current_password`)",
            FRESH_SECS / 60
        ),
    }
}

/// How long after signing in an enrolment-only session may enrol without the password: long
/// enough to find the phone, not so long that a refresh token stolen before the tenant required
/// MFA enrols its thief's authenticator.
pub const ENROLMENT_FRESH_SECS: i64 = 1800;

/// Whether session `session_id` of `user_id` signed in within [`FRESH_SECS`].
pub async fn signed_in_recently(
    scope: &TenantScope,
    user_id: Uuid,
    session_id: Uuid,
) -> Result<bool> {
    signed_in_within(scope, user_id, session_id, FRESH_SECS).await
}

/// Whether session `session_id` of `user_id` signed in within `secs` seconds (a refresh keeps
/// the session's sign-in time).
pub async fn signed_in_within(
    scope: &TenantScope,
    user_id: Uuid,
    session_id: Uuid,
    secs: i64,
) -> Result<bool> {
    let tx = scope.read().await?;
    let s = session::Entity::find_by_id(session_id).one(&*tx).await?;
    tx.commit().await?;
    Ok(s.is_some_and(|s| {
        s.user_id == user_id && s.created_at > Utc::now() - chrono::Duration::seconds(secs)
    }))
}

/// Requires a fresh proof of the caller: `current_password` when given (checked like a login,
/// throttled, and a wrong one is `401`), else a recent sign-in of the session, else `403
/// reauthentication_required`.
pub async fn require_fresh(
    acc: &Accounts,
    ctx: &OpContext,
    user_id: Uuid,
    session_id: Uuid,
    current_password: Option<&str>,
) -> Result<()> {
    let scope = ctx.scope();
    if let Some(p) = current_password {
        let u = super::profile::load(scope, user_id).await?;
        return super::profile::check_password(acc, ctx, &u, p).await;
    }
    if signed_in_recently(scope, user_id, session_id).await? {
        Ok(())
    } else {
        Err(reauthentication_required())
    }
}
