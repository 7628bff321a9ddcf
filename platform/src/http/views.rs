//! Response bodies shared by several APIs: the token pair, the user, accepted.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::{accounts::TokenPair, store::entities::user};

/// A user as the API shows them.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UserView {
    /// The user's id (also the token's `sub`).
    pub id: String,
    pub email: String,
    /// Display name, when set.
    pub name: Option<String>,
    /// The tenant the user belongs to (also the token's `tenant_id`).
    pub tenant_id: String,
    /// `owner`, `admin`, `member`, `viewer` or `guest`.
    pub role: String,
    /// `pending` (email not verified), `active` or `disabled`.
    pub status: String,
    pub mfa_enabled: bool,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

impl UserView {
    /// The view of `u` in tenant `tenant_id`.
    pub fn of(u: &user::Model, tenant_id: uuid::Uuid) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            tenant_id: tenant_id.to_string(),
            role: u.role.clone(),
            status: u.status.clone(),
            mfa_enabled: false,
            email_verified: u.email_verified_at.is_some(),
            created_at: u.created_at,
        }
    }
}

/// What every successful login returns.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenPairView {
    /// A JWT signed with the tenant's key (EdDSA), for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u32,
    /// Opaque, single use: exchange it at `/auth/token/refresh` for a new pair. Absent in
    /// cookie mode, where it travels in the `platform_refresh` HttpOnly cookie instead.
    pub refresh_token: Option<String>,
    /// Cookie mode only: send it as `X-CSRF-Token` with cookie-authenticated refreshes.
    pub csrf_token: Option<String>,
    pub session_id: String,
    pub user: UserView,
}

impl From<TokenPair> for TokenPairView {
    fn from(p: TokenPair) -> Self {
        Self {
            user: UserView::of(&p.user, p.tenant_id),
            access_token: p.access_token,
            token_type: "Bearer".into(),
            expires_in: p.expires_in,
            refresh_token: Some(p.refresh_token),
            csrf_token: None,
            session_id: p.session_id.to_string(),
        }
    }
}

/// The request was accepted; what follows happens by email.
#[derive(Object, Debug)]
pub struct Accepted {
    /// A fixed message: the same whatever the account's state.
    pub message: String,
}

impl Accepted {
    /// The one accepted body.
    pub fn new() -> Self {
        Self {
            message: "accepted: if the address can receive it, an email is on its way".into(),
        }
    }
}

impl Default for Accepted {
    fn default() -> Self {
        Self::new()
    }
}
