//! Invitations to join a tenant with a role: a single-use token, only its hash stored, emailed
//! as a link whose query ends in `token=<token>`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use email_templates::Message;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, EntityTrait};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Tenant;
use crate::{
    domain::EmailAddress,
    error::Result,
    mail::Mailer,
    store::{TenantTx, entities::invitation},
};

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// A fresh 256-bit random token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: hex SHA-256 (tokens are random, so no salt or slow hash needed).
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records an invitation for `email` with `role` and queues its email in the same transaction.
pub async fn invite(
    tx: &mut TenantTx,
    mailer: &Mailer,
    tenant: &Tenant,
    email: &EmailAddress,
    role: &str,
) -> Result<Uuid> {
    let token = new_token();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
