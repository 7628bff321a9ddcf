//! Support actions on one member, as one transaction: a role or status change, resetting their
//! second factor (for a lost device) and forcing a password reset (for a suspected compromise).
//! The resets end every session of the member at once and email them; everything is audited
//! with the actor's reason, and nothing applies unless everything does.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    accounts,
    audit::{self, Event},
    authz::{Granted, MemberSupport, MembersWrite},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    mail::Mailer,
    store::{Change, TenantTx, entities::user},
    users::UserStatus,
};

async fn member(tx: &TenantTx, id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(id)
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("member"))
}

/// What support does to one member; each part is optional.
#[derive(Debug, Default)]
pub struct Actions {
    /// A role and/or status change (needs the [`MembersWrite`] proof).
    pub change: Option<super::Change>,
    /// Turn MFA off so the member can enrol again.
    pub reset_mfa: bool,
    /// Clear the password and email a reset link.
    pub force_password_reset: bool,
}

/// Applies `actions` to member `id` in one transaction, in order: the role and status change
/// (only with `write`, the proof that the actor may change members), the MFA reset, the forced
/// password reset. Any refusal leaves the member as they were. Returns the member afterwards.
pub async fn apply(
    granted: &Granted<MemberSupport>,
    write: Option<&Granted<MembersWrite>>,
    mailer: &Mailer,
    id: Uuid,
    actions: &Actions,
) -> Result<user::Model> {
    let mut tx = granted.scope().begin().await?;
    member(&tx, id).await?;
    if let Some(change) = &actions.change {
        let Some(write) = write else {
            return Err(crate::authz::forbidden(
                crate::roles::Permission::MembersWrite,
            ));
        };
        super::change_in(&tx, write, id, change).await?;
    }
    if actions.reset_mfa {
        reset_mfa_in(&mut tx, granted, mailer, id).await?;
    }
    if actions.force_password_reset {
        force_password_reset_in(&mut tx, granted, mailer, id).await?;
    }
    let updated = member(&tx, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Turns a member's MFA off (erasing the authenticator and backup codes) so they can enrol
/// again; their sessions end and an "MFA changed" notice is emailed.
async fn reset_mfa_in(
    tx: &mut TenantTx,
    granted: &Granted<MemberSupport>,
    mailer: &Mailer,
    id: Uuid,
) -> Result<()> {
    let (meta, by) = (granted.meta(), granted.by());
    let u = member(tx, id).await?;
    crate::mfa::factors::turn_off(tx, id).await?;
    let ended = crate::sessions::revoke_all(tx, by.actor, id, None, "mfa_reset").await?;
    if u.mfa_enabled {
        crate::mfa::enrolment::notify(
            mailer,
            granted.ctx().tenant(),
            tx,
            &u,
            crate::mail::messages::MfaChange::Disabled,
        )
        .await?;
    }
    audit::record(
        tx,
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
    Ok(())
}

/// Clears a member's password (it no longer signs in), ends their sessions and emails them a
/// reset link.
async fn force_password_reset_in(
    tx: &mut TenantTx,
    granted: &Granted<MemberSupport>,
    mailer: &Mailer,
    id: Uuid,
) -> Result<()> {
    let (meta, by) = (granted.meta(), granted.by());
    let u = member(tx, id).await?;
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
        .exec(&**tx)
        .await?;
    let ended =
        crate::sessions::revoke_all(tx, by.actor, id, None, "password_reset_forced").await?;
    accounts::recovery::send_reset_link(mailer, tx, granted.ctx().tenant(), &u).await?;
    audit::record(
        tx,
        meta,
        Event::ok(by.actor, "member.password_reset_forced")
            .target("user", id)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "sessions_revoked": ended.len() })),
    )
    .await?;
    tx.invalidate(Change::User { id });
    Ok(())
}
