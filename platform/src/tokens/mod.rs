//! Access tokens: each tenant's Ed25519 signing keys and the JWTs signed with them.

pub mod keys;

use chrono::Utc;
use uuid::Uuid;

use crate::{
    crypto::jwt::AccessClaims,
    error::{Error, Result},
    roles,
    store::entities::user,
};

pub use keys::{Keys, TenantKeys};

/// The `iss` of a tenant's tokens (also its OpenID-style base URL).
pub fn issuer(public_url: &str, tenant_id: Uuid) -> String {
    format!("{public_url}/v1/tenants/{tenant_id}")
}

/// The `aud` of a tenant's access tokens: the tenant's id (its apps are the audience).
pub fn audience(tenant_id: Uuid) -> String {
    tenant_id.to_string()
}

/// Signs an access token for `user` in `session` with the tenant's current key. With
/// `enrollment_only`, the token grants no permission and reaches only MFA enrolment.
#[allow(clippy::too_many_arguments)]
pub fn issue_access(
    keys: &TenantKeys,
    public_url: &str,
    tenant_id: Uuid,
    user: &user::Model,
    session_id: Uuid,
    amr: &[String],
    ttl_secs: u32,
    enrollment_only: bool,
    custom_roles: &std::collections::BTreeMap<String, Vec<String>>,
) -> Result<String> {
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        iss: issuer(public_url, tenant_id),
        sub: user.id.to_string(),
        aud: audience(tenant_id),
        exp: now + i64::from(ttl_secs),
        iat: now,
        nbf: now,
        jti: Uuid::now_v7().to_string(),
        tenant_id: tenant_id.to_string(),
        sid: session_id.to_string(),
        role: user.role.to_string(),
        permissions: if enrollment_only {
            Vec::new()
        } else {
            roles::permissions(&user.role, custom_roles)
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        },
        amr: amr.to_vec(),
        token_use: if enrollment_only {
            crate::crypto::jwt::ENROLLMENT_TOKEN_USE
        } else {
            crate::crypto::jwt::ACCESS_TOKEN_USE
        }
        .into(),
        mfa_enrollment_required: enrollment_only,
    };
    keys.signer
        .sign(&claims)
        .map_err(|e| Error::Internal(anyhow::anyhow!("signing an access token: {e}")))
}
