//! Response bodies shared by several APIs: the token pair, the user, accepted.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object, Union};

use crate::{
    mfa::Challenge,
    signin::TokenPair,
    store::entities::user::{self, UserStatus},
};

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
    // Described by the `UserStatus` schema (a field doc comment would wrap the reference in an
    // `allOf`, which some client generators cannot take for an enum).
    pub status: UserStatus,
    pub mfa_enabled: bool,
    pub email_verified: bool,
    /// Whether the account has a password. `false` for an account whose email verification
    /// set none (see `email_verify`): `POST /me/password` sets one.
    pub has_password: bool,
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
            role: u.role.to_string(),
            status: u.status,
            mfa_enabled: u.mfa_enabled,
            email_verified: u.email_verified_at.is_some(),
            has_password: u.password_hash.is_some(),
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
    /// Present (`true`) when the tenant requires two-factor authentication and the user has
    /// not enrolled: the access token then reaches only `POST /me/mfa/totp`,
    /// `POST /me/mfa/totp/confirm` and `POST /auth/logout` (every other endpoint answers `403
    /// mfa_enrollment_required`). After confirming, refresh for an unrestricted token.
    pub mfa_enrollment_required: Option<bool>,
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
            mfa_enrollment_required: p.mfa_enrollment_required.then_some(true),
        }
    }
}

/// The first factor was right and the account uses two-factor authentication: complete the
/// login at `POST /auth/login/mfa` with the `mfa_token` and one of the `methods`.
#[derive(Object, Debug)]
pub struct MfaChallengeView {
    /// Always `true`.
    pub mfa_required: bool,
    /// Opaque, single use, valid `expires_in` seconds and for 5 attempts.
    pub mfa_token: String,
    /// Second factors accepted: `totp`, `backup_code`, and `email_otp` when the tenant allows
    /// emailed codes (ask for one at `POST /auth/login/mfa/email`).
    pub methods: Vec<MfaMethod>,
    pub expires_in: u32,
}

impl From<Challenge> for MfaChallengeView {
    fn from(c: Challenge) -> Self {
        Self {
            mfa_required: true,
            mfa_token: c.mfa_token,
            methods: c.methods.into_iter().filter_map(MfaMethod::named).collect(),
            expires_in: c.expires_in,
        }
    }
}

/// A token pair (`"result": "signed_in"`), or, with MFA on, a challenge for the second factor
/// (`"result": "mfa_required"`).
#[derive(Union, Debug)]
#[oai(one_of, discriminator_name = "result")]
#[allow(clippy::large_enum_variant)] // built once per login and moved straight into the body
pub enum LoginResult {
    #[oai(mapping = "signed_in")]
    Tokens(TokenPairView),
    #[oai(mapping = "mfa_required")]
    MfaRequired(MfaChallengeView),
}

/// A second factor a challenge accepts.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MfaMethod {
    /// A code from the authenticator app.
    Totp,
    /// One of the single-use backup codes.
    BackupCode,
    /// A code sent by email (`POST /auth/login/mfa/email`).
    EmailOtp,
}

impl MfaMethod {
    /// The method named `name` in a challenge.
    fn named(name: &str) -> Option<Self> {
        match name {
            "totp" => Some(Self::Totp),
            "backup_code" => Some(Self::BackupCode),
            "email_otp" => Some(Self::EmailOtp),
            _ => None,
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
