//! `/v1/tenants/{tenant}/settings`: the tenant's settings, read (`settings:read`) and changed
//! (`settings:write`). The types here mirror [`crate::settings::TenantSettings`] for the
//! OpenAPI document; values cross over as JSON.

use std::collections::BTreeMap;

use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, Tags,
    param::Path,
    payload::Json,
    types::{MaybeUndefined, ParseFromJSON, ToJSON},
};

use super::{auth::UserAuth, problem::ApiError};
use crate::{
    app::AppState,
    authz::{self, SettingsRead, SettingsWrite},
    error::Error,
    settings::{TenantSettings, update::update},
};

#[derive(Tags)]
enum SettingsTags {
    /// A tenant's settings (tenant admins).
    Settings,
}

/// Who must use two-factor authentication.
#[derive(Enum, Debug, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum MfaPolicyView {
    /// Users choose.
    Optional,
    /// Every user must enrol (unenrolled users get enrolment-only tokens).
    Required,
    /// Owners and admins must enrol.
    RequiredForAdmins,
}

/// A throttling policy for one bucket.
#[derive(Object, Debug, Clone)]
pub struct RateLimitView {
    /// Sustained attempts per minute (1 to 10,000).
    pub per_minute: u32,
    /// Attempts allowed at once (1 to 10,000).
    pub burst: u32,
}

/// What a new password must be.
#[derive(Object, Debug, Clone)]
pub struct PasswordPolicyView {
    /// Fewest characters, 8 to 128 (default 8).
    pub min_length: u32,
    /// Refuse the ~30,000 most common passwords (up to case and letter substitutions) and
    /// passwords made from the email address (default on).
    pub refuse_common: bool,
}

/// Email branding; unset fields keep the defaults (the tenant's name, the platform's sender).
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct BrandingView {
    /// Shown in headers, subjects and footers (1 to 100 characters).
    pub name: Option<String>,
    /// The `From` display name.
    pub sender_name: Option<String>,
    /// The `From` address.
    pub sender_address: Option<String>,
    /// `#rgb` or `#rrggbb`.
    pub primary_color: Option<String>,
    /// Text on `primary_color`, `#rgb` or `#rrggbb`.
    pub text_color: Option<String>,
    /// An `https://` URL of a logo.
    pub logo_url: Option<String>,
}

/// Replacement templates (minijinja) for some parts of one message; each is checked by
/// rendering it with sample values before it is saved, and must keep the message's code or
/// link in the text part.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct TemplateOverrideView {
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// What refresh tokens are bound to (all off by default).
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct RefreshBindingView {
    /// An IPv4 client must stay in the sign-in address's network of this prefix (8 to 32).
    pub ipv4_prefix: Option<u8>,
    /// An IPv6 client must stay in the sign-in address's network of this prefix (16 to 128).
    pub ipv6_prefix: Option<u8>,
    /// The client's `User-Agent` must stay the one it signed in with.
    #[oai(default)]
    pub user_agent: bool,
}

/// Every setting of a tenant.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SettingsView {
    /// Access-token lifetime, 60 to 86,400 s (default 900).
    pub access_token_ttl_secs: u32,
    /// A session ends after this long without a refresh (default 14 days).
    pub session_idle_secs: u32,
    /// A session ends this long after its login (default 30 days).
    pub session_absolute_secs: u32,
    /// Email users about sign-ins from new addresses (default on).
    pub new_sign_in_alert: bool,
    /// Whether `POST /auth/register` creates accounts (default on).
    pub self_signup: bool,
    /// The role of self-registered users (default `member`; never `owner`).
    pub default_role: String,
    /// Throttling overrides by bucket (`login_ip`, `login_account`, `register_ip`,
    /// `code_verify_account`, `code_send_account`, `forgot_ip`, `reset_ip`, `otp_ip`, `mfa_ip`,
    /// `mfa_account`).
    pub rate_limits: BTreeMap<String, RateLimitView>,
    pub mfa_policy: MfaPolicyView,
    /// Offer an emailed code as a second factor of password logins (default off).
    pub mfa_email_otp: bool,
    /// Custom roles: name → permissions from the catalogue (`members:read`, `members:write`,
    /// `sessions:read`, `sessions:revoke`, `audit:read`, `settings:read`, `settings:write`).
    pub custom_roles: BTreeMap<String, Vec<String>>,
    pub password_policy: PasswordPolicyView,
    pub branding: BrandingView,
    /// Template overrides by message (`email_verification`, `login_code`, `password_reset`,
    /// `invitation`, `new_sign_in`, `mfa_changed`, `password_changed`, `account_exists`). The
    /// templates never see the real code or link, the HTML is sanitised to an allow-list of
    /// tags and attributes, and no URL but `{{ link }}` and the logo is kept.
    pub email_templates: BTreeMap<String, TemplateOverrideView>,
    /// Audit events older than this many days (30 to 3,650) are pruned; absent keeps them.
    pub audit_retention_days: Option<u32>,
    /// Browser origins (`https://app.example.com`, at most 50) that may call the tenant's API
    /// from another origin, with credentials; none by default.
    pub cors_allowed_origins: Vec<String>,
    /// Binds refresh tokens to the network or browser that signed in: a refresh from elsewhere
    /// is refused as `401 invalid_refresh_token` and audited (`auth.refresh_refused`).
    pub refresh_binding: RefreshBindingView,
    /// 0 to 60 s (default 0). Within it, a session's newest spent refresh token presented again
    /// (two tabs, a network retry) gets a fresh pair instead of revoking the session; past it,
    /// or for an older token, reuse revokes the session.
    pub refresh_reuse_grace_secs: u32,
}

/// A change of some settings: only the fields sent change; `null` restores a default; an
/// unknown field is refused.
#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct SettingsPatch {
    pub access_token_ttl_secs: MaybeUndefined<u32>,
    pub session_idle_secs: MaybeUndefined<u32>,
    pub session_absolute_secs: MaybeUndefined<u32>,
    pub new_sign_in_alert: MaybeUndefined<bool>,
    pub self_signup: MaybeUndefined<bool>,
    #[oai(validator(max_length = 40))]
    pub default_role: MaybeUndefined<String>,
    pub rate_limits: MaybeUndefined<BTreeMap<String, RateLimitView>>,
    pub mfa_policy: MaybeUndefined<MfaPolicyView>,
    pub mfa_email_otp: MaybeUndefined<bool>,
    pub custom_roles: MaybeUndefined<BTreeMap<String, Vec<String>>>,
    pub password_policy: MaybeUndefined<PasswordPolicyView>,
    pub branding: MaybeUndefined<BrandingView>,
    pub email_templates: MaybeUndefined<BTreeMap<String, TemplateOverrideView>>,
    pub audit_retention_days: MaybeUndefined<u32>,
    #[oai(validator(max_items = 50))]
    pub cors_allowed_origins: MaybeUndefined<Vec<String>>,
    pub refresh_binding: MaybeUndefined<RefreshBindingView>,
    pub refresh_reuse_grace_secs: MaybeUndefined<u32>,
}

#[derive(ApiResponse)]
enum SettingsResponse {
    /// The settings in force.
    #[oai(status = 200)]
    Ok(Json<SettingsView>),
}

/// The API view of a tenant's settings.
pub(super) fn view(s: &TenantSettings) -> Result<SettingsView, Error> {
    let json = serde_json::to_value(s)
        .map_err(|e| Error::Internal(anyhow::anyhow!("serialising settings: {e}")))?;
    SettingsView::parse_from_json(Some(json))
        .map_err(|e| Error::Internal(anyhow::anyhow!("settings view: {}", e.message())))
}

/// The tenant settings API.
pub struct SettingsApi;

#[OpenApi(tag = "SettingsTags::Settings")]
impl SettingsApi {
    /// The tenant's settings (`settings:read`).
    #[oai(
        path = "/v1/tenants/:tenant/settings",
        method = "get",
        operation_id = "settings_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<SettingsResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SettingsRead>(&state.users, &a.ctx).await?;
        let settings = crate::settings::get(&granted).await?;
        Ok(SettingsResponse::Ok(Json(view(&settings)?)))
    }

    /// Changes some settings (`settings:write`) and answers with all of them. The change is
    /// checked as a whole (a bad value is `400` naming the setting; nothing is stored) and
    /// applies at once. Removing a custom role that members still hold is `409 role_in_use`.
    #[oai(
        path = "/v1/tenants/:tenant/settings",
        method = "patch",
        operation_id = "settings_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<SettingsPatch>,
    ) -> Result<SettingsResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SettingsWrite>(&state.users, &a.ctx).await?;
        let patch = match body.0.to_json() {
            Some(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let next = update(&granted, &state.mailer, patch).await?;
        Ok(SettingsResponse::Ok(Json(view(&next)?)))
    }
}
