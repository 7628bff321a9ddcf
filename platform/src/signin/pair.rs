//! The token pair every successful login returns.

use uuid::Uuid;

use super::Signin;
use crate::{
    error::Result,
    settings::TenantSettings,
    store::{
        TenantScope,
        entities::{session, user},
    },
    tokens,
};

/// An access token, a refresh token and the session and user they belong to.
#[derive(Debug)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: u32,
    pub refresh_token: String,
    pub session_id: Uuid,
    /// When the session ends at the latest (its absolute timeout).
    pub session_expires_at: chrono::DateTime<chrono::Utc>,
    pub user: user::Model,
    pub tenant_id: Uuid,
    /// Whether the access token only reaches MFA enrolment (the tenant's policy requires a
    /// second factor the user has not set up yet).
    pub mfa_enrollment_required: bool,
}

/// Signs an access token for `session` and bundles it with `refresh_token`.
pub async fn issue(
    signin: &Signin,
    scope: &TenantScope,
    settings: &TenantSettings,
    user: user::Model,
    session: &session::Model,
    refresh_token: String,
) -> Result<TokenPair> {
    let keys = signin.keys.for_tenant(scope).await?;
    let amr: Vec<String> = serde_json::from_str(&session.amr).unwrap_or_default();
    // The policy is applied at every issue, so a refresh after enrolling lifts the restriction
    // and a policy change reaches a session at its next refresh.
    let enrollment_only = settings
        .mfa_policy
        .requires(&user.role, &settings.custom_roles)
        && !user.mfa_enabled;
    let access_token = tokens::issue_access(
        &keys,
        &signin.public_url,
        scope.tenant_id(),
        &user,
        session.id,
        &amr,
        settings.access_token_ttl_secs,
        enrollment_only,
        &settings.custom_roles,
    )?;
    Ok(TokenPair {
        access_token,
        expires_in: settings.access_token_ttl_secs,
        refresh_token,
        session_id: session.id,
        session_expires_at: session.expires_at,
        user,
        tenant_id: scope.tenant_id(),
        mfa_enrollment_required: enrollment_only,
    })
}
