//! Support actions on one member: resetting their second factor (for a lost device) and forcing
//! a password reset (for a suspected compromise). Both end every session of the member at once,
//! email them, and are audited with the actor's reason.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    accounts,
    app::AppState,
    audit::{self, Event, RequestMeta},
    authz::By,
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    store::{Change, TenantScope, entities::user},
    users::UserStatus,
};

async fn member(tx: &crate::store::TenantTx, id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(id)
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("member"))
}

/// Turns a member's MFA off (erasing the authenticator and backup codes) so they can enrol
/// again; their sessions end and an "MFA changed" notice is emailed.
pub async fn reset_mfa(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    by: &By,
    id: Uuid,
) -> Result<()> {
    let mut tx = scope.begin().await?;
    let u = member(&tx, id).await?;
    crate::mfa::factors::turn_off(&tx, id).await?;
    let ended = state
        .sessions
        .revoke_all(&tx, by.actor, id, None, "mfa_reset")
        .await?;
    if u.mfa_enabled {
        crate::mfa::enrolment::notify(
            state,
            scope,
            &mut tx,
            &u,
            crate::mail::messages::MfaChange::Disabled,
        )
        .await?;
    }
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "mfa.reset")
            .target("user", id)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "was_enabled": u.mfa_enabled, "sessions_revoked": ended.len() })),
    )
    .await?;
    if u.mfa_enabled {
        tx.emit(
            by.actor,
            &DomainEvent::MfaChanged {
                user: id,
                enabled: false,
            },
        );
    }
    tx.invalidate(Change::User { id });
    tx.commit().await
}

/// Clears a member's password (it no longer signs in), ends their sessions and emails them a
/// reset link.
pub async fn force_password_reset(
    state: &AppState,
    scope: &TenantScope,
    meta: &RequestMeta,
    by: &By,
    id: Uuid,
) -> Result<()> {
    let tenant = accounts::tenant_of(state, scope).await?;
    let mut tx = scope.begin().await?;
    let u = member(&tx, id).await?;
    if u.status != UserStatus::Active {
        return Err(Error::Conflict {
            code: ErrorCode::MemberNotActive,
            message: "only an active member can be sent a password reset".into(),
        });
    }
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(id))
        .exec(&*tx)
        .await?;
    let ended = state
        .sessions
        .revoke_all(&tx, by.actor, id, None, "password_reset_forced")
        .await?;
    accounts::recovery::send_reset_link(state, &mut tx, &tenant, &u).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "member.password_reset_forced")
            .target("user", id)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "sessions_revoked": ended.len() })),
    )
    .await?;
    tx.invalidate(Change::User { id });
    tx.commit().await
}
