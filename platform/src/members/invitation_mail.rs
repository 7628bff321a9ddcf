//! Invitations to join a tenant with a role: a single-use token, only its hash stored, emailed
//! as a link whose query ends in `token=<token>`.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    crypto::codes::{new_opaque_token, token_hash},
    domain::EmailAddress,
    error::Result,
    mail::Mailer,
    mail::messages::Invitation,
    roles::Role,
    store::{TenantTx, entities::invitation},
    tenants::Tenant,
};

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// Queues the invitation email carrying `token`.
async fn send(
    tx: &mut TenantTx,
    mailer: &Mailer,
    tenant: &Tenant,
    email: &EmailAddress,
    role: &Role,
    token: &str,
) -> Result<()> {
    let link = format!(
        "{}/accept-invitation?tenant={}&token={token}",
        mailer.public_url(),
        tenant.slug
    );
    mailer
        .queue(
            tx,
            &mailer.branding_for(&tenant.name),
            email,
            &Invitation {
                link,
                role: role.to_string(),
                expires_days: INVITATION_DAYS,
                inviter: None,
            },
        )
        .await
}

/// Records an invitation for `email` with `role` (sent by `invited_by`, or the platform) and
/// queues its email in the same transaction.
pub async fn invite(
    tx: &mut TenantTx,
    mailer: &Mailer,
    tenant: &Tenant,
    email: &EmailAddress,
    role: &Role,
    invited_by: Option<Uuid>,
) -> Result<invitation::Model> {
    let token = new_opaque_token();
    let now = Utc::now();
    let row = invitation::Model {
        id: Uuid::now_v7(),
        email: email.as_str().to_owned(),
        role: role.clone(),
        token_hash: token_hash(&token),
        expires_at: now + Duration::days(INVITATION_DAYS),
        created_at: now,
        accepted_at: None,
        revoked_at: None,
        invited_by,
    };
    invitation::Entity::insert(invitation::ActiveModel::from(row.clone()))
        .exec(&**tx)
        .await?;
    send(tx, mailer, tenant, email, role, &token).await?;
    Ok(row)
}

/// Gives a pending invitation a new token and a new 7-day life, and emails it again; the old
/// link stops working.
pub async fn reissue(
    tx: &mut TenantTx,
    mailer: &Mailer,
    tenant: &Tenant,
    inv: &invitation::Model,
) -> Result<invitation::Model> {
    let token = new_opaque_token();
    let expires_at = Utc::now() + Duration::days(INVITATION_DAYS);
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(token_hash(&token)),
        )
        .col_expr(invitation::Column::ExpiresAt, Expr::value(expires_at))
        .filter(invitation::Column::Id.eq(inv.id))
        .exec(&**tx)
        .await?;
    let email = EmailAddress::parse(&inv.email)?;
    send(tx, mailer, tenant, &email, &inv.role, &token).await?;
    Ok(invitation::Model {
        token_hash: token_hash(&token),
        expires_at,
        ..inv.clone()
    })
}

/// `pending`, `accepted`, `revoked` or `expired`.
pub fn status(inv: &invitation::Model) -> &'static str {
    if inv.accepted_at.is_some() {
        "accepted"
    } else if inv.revoked_at.is_some() {
        "revoked"
    } else if inv.expires_at <= Utc::now() {
        "expired"
    } else {
        "pending"
    }
}
