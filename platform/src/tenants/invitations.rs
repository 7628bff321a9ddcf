//! Invitations to join a tenant with a role: a single-use token, only its hash stored, emailed
//! as a link whose query ends in `token=<token>`.

use chrono::{Duration, Utc};
use email_templates::Message;
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use super::Tenant;
use crate::{
    crypto::codes::{new_opaque_token, token_hash},
    domain::EmailAddress,
    error::Result,
    mail::Mailer,
    store::{TenantTx, entities::invitation},
};

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// Records an invitation for `email` with `role` and queues its email in the same transaction.
pub async fn invite(
    tx: &mut TenantTx,
    mailer: &Mailer,
    tenant: &Tenant,
    email: &EmailAddress,
    role: &str,
) -> Result<Uuid> {
    let token = new_opaque_token();
    let now = Utc::now();
    let id = Uuid::now_v7();
    invitation::Entity::insert(invitation::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        role: Set(role.to_owned()),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        created_at: Set(now),
        accepted_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(&**tx)
    .await?;
    let link = format!(
        "{}/accept-invitation?tenant={}&token={token}",
        mailer.public_url(),
        tenant.slug
    );
    mailer
        .queue(
            tx,
            Message::Invitation,
            &mailer.branding_for(&tenant.name),
            email,
            serde_json::json!({ "link": link, "role": role, "expires_days": INVITATION_DAYS }),
        )
        .await?;
    Ok(id)
}
