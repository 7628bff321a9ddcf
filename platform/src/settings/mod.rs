//! A tenant's settings that the auth flows read, with their documented defaults. Stored as
//! key/value rows (JSON values) in the tenant's `settings` table; absent keys take the default.
//! [`patch`] is a change of some of them (applied by [`crate::configure`]); [`password`] holds
//! the password policy; [`cors`] caches each tenant's allowed origins.

pub mod cors;
pub mod password;
pub mod patch;

use std::collections::BTreeMap;

pub use password::PasswordPolicy;

use poem_openapi::{Enum, Object};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use crate::{
    error::Result,
    ratelimit::{Bucket, Policy},
    roles::Role,
    store::{TenantTx, entities::setting},
};

// Stored as one JSON value per setting (serde) and served as the API's `SettingsView`
// (poem-openapi): one definition, so the two cannot drift apart.
/// Every setting of a tenant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Object)]
#[serde(deny_unknown_fields)]
#[oai(rename = "SettingsView", skip_serializing_if_is_none)]
pub struct TenantSettings {
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
    pub default_role: Role,
    /// Throttling overrides by bucket (`login_ip`, `login_account`, `register_ip`,
    /// `code_verify_account`, `code_send_account`, `forgot_ip`, `reset_ip`, `otp_ip`, `mfa_ip`,
    /// `mfa_account`).
    #[serde(default)]
    pub rate_limits: BTreeMap<String, RateLimit>,
    pub mfa_policy: MfaPolicy,
    /// Offer an emailed code as a second factor of password logins (default off).
    pub mfa_email_otp: bool,
    /// Custom roles: name → permissions from the catalogue (`members:read`, `members:write`,
    /// `sessions:read`, `sessions:revoke`, `audit:read`, `settings:read`, `settings:write`).
    #[serde(default)]
    pub custom_roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub branding: BrandingSettings,
    /// Template overrides by message (`email_verification`, `login_code`, `password_reset`,
    /// `invitation`, `new_sign_in`, `mfa_changed`, `password_changed`, `account_exists`). The
    /// templates never see the real code or link, the HTML is sanitised to an allow-list of
    /// tags and attributes, and no URL but `{{ link }}` and the logo is kept.
    #[serde(default)]
    pub email_templates: BTreeMap<String, email_templates::TemplateOverride>,
    /// Audit events older than this many days (30 to 3,650) are pruned; absent keeps them.
    #[serde(default)]
    pub audit_retention_days: Option<u32>,
    /// Browser origins (`https://app.example.com`, at most 50) that may call the tenant's API
    /// from another origin, with credentials; none by default.
    #[serde(default)]
    pub cors_allowed_origins: Vec<String>,
    /// Binds refresh tokens to the network or browser that signed in: a refresh from elsewhere
    /// is refused as `401 invalid_refresh_token` and audited (`auth.refresh_refused`).
    #[serde(default)]
    pub refresh_binding: RefreshBinding,
    /// 0 to 60 s (default 0). Within it, a session's newest spent refresh token presented again
    /// (two tabs, a network retry) gets a fresh pair instead of revoking the session; past it,
    /// or for an older token, reuse revokes the session.
    #[serde(default)]
    pub refresh_reuse_grace_secs: u32,
}

/// What refresh tokens are bound to (all off by default): a refresh from elsewhere is refused
/// (and audited), and the token stays usable where it belongs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Object)]
#[serde(deny_unknown_fields)]
#[oai(rename = "RefreshBindingView", skip_serializing_if_is_none)]
pub struct RefreshBinding {
    /// An IPv4 client must stay in the sign-in address's network of this prefix (8 to 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_prefix: Option<u8>,
    /// An IPv6 client must stay in the sign-in address's network of this prefix (16 to 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_prefix: Option<u8>,
    /// The client's `User-Agent` must stay the one it signed in with.
    #[serde(default)]
    #[oai(default)]
    pub user_agent: bool,
}

impl RefreshBinding {
    /// Whether a refresh from `ip` with `user_agent` may use a session that signed in from
    /// `signed_in_ip` with `signed_in_agent`.
    pub fn allows(
        &self,
        signed_in_ip: Option<&str>,
        signed_in_agent: Option<&str>,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> bool {
        if self.user_agent && signed_in_agent != user_agent {
            return false;
        }
        let parse = |s: Option<&str>| s.and_then(|s| s.parse::<std::net::IpAddr>().ok());
        use std::net::IpAddr::{V4, V6};
        match (parse(signed_in_ip), parse(ip)) {
            (Some(V4(a)), Some(V4(b))) => self.ipv4_prefix.is_none_or(|p| {
                let mask = u32::MAX.checked_shl(32 - u32::from(p.min(32))).unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }),
            (Some(V6(a)), Some(V6(b))) => self.ipv6_prefix.is_none_or(|p| {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(p.min(128)))
                    .unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }),
            // A change of address family, or an address unknown on either side: allowed only
            // when no network binding is set.
            _ => self.ipv4_prefix.is_none() && self.ipv6_prefix.is_none(),
        }
    }
}

/// Email branding; unset fields keep the defaults (the tenant's name, the platform's sender).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Object)]
#[serde(deny_unknown_fields)]
#[oai(rename = "BrandingView", skip_serializing_if_is_none)]
pub struct BrandingSettings {
    /// Shown in headers, subjects and footers (1 to 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `From` display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// The `From` address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_address: Option<String>,
    /// `#rgb` or `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    /// Text on `primary_color`, `#rgb` or `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_color: Option<String>,
    /// An `https://` URL of a logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

impl BrandingSettings {
    /// `base` (the platform's branding for this tenant) with the tenant's choices applied.
    pub fn apply(&self, base: &email_templates::Branding) -> email_templates::Branding {
        let mut b = base.clone();
        if let Some(v) = &self.name {
            b.name.clone_from(v);
            if self.sender_name.is_none() {
                b.sender_name.clone_from(v);
            }
        }
        if let Some(v) = &self.sender_name {
            b.sender_name.clone_from(v);
        }
        if let Some(v) = &self.sender_address {
            b.sender_address.clone_from(v);
        }
        if let Some(v) = &self.primary_color {
            b.primary_color.clone_from(v);
        }
        if let Some(v) = &self.text_color {
            b.text_color.clone_from(v);
        }
        if self.logo_url.is_some() {
            b.logo_url.clone_from(&self.logo_url);
        }
        b
    }
}

/// Who must use two-factor authentication.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename = "MfaPolicyView", rename_all = "snake_case")]
pub enum MfaPolicy {
    /// Users choose.
    #[default]
    Optional,
    /// Every user must enrol (unenrolled users get enrolment-only tokens).
    Required,
    /// Owners and admins must enrol.
    RequiredForAdmins,
}

impl MfaPolicy {
    /// Whether a user with `role` must have a second factor. Under `required_for_admins`,
    /// that is owners, admins and any custom role that may change members, sessions or
    /// settings.
    pub fn requires(self, role: &Role, custom: &BTreeMap<String, Vec<String>>) -> bool {
        use crate::roles::Permission::{MembersWrite, SessionsRevoke, SettingsWrite};
        match self {
            Self::Optional => false,
            Self::Required => true,
            Self::RequiredForAdmins => {
                matches!(role, Role::Owner | Role::Admin)
                    || crate::roles::permissions(role, custom)
                        .iter()
                        .any(|p| matches!(p, MembersWrite | SessionsRevoke | SettingsWrite))
            }
        }
    }
}

/// A throttling policy for one bucket.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Object)]
#[oai(rename = "RateLimitView")]
pub struct RateLimit {
    /// Sustained attempts per minute (1 to 10,000).
    pub per_minute: u32,
    /// Attempts allowed at once (1 to 10,000).
    pub burst: u32,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 900,
            session_idle_secs: 14 * 24 * 3600,
            session_absolute_secs: 30 * 24 * 3600,
            new_sign_in_alert: true,
            self_signup: true,
            default_role: Role::Member,
            rate_limits: BTreeMap::new(),
            mfa_policy: MfaPolicy::Optional,
            mfa_email_otp: false,
            custom_roles: BTreeMap::new(),
            password_policy: PasswordPolicy::default(),
            branding: BrandingSettings::default(),
            email_templates: BTreeMap::new(),
            audit_retention_days: None,
            cors_allowed_origins: Vec::new(),
            refresh_binding: RefreshBinding::default(),
            refresh_reuse_grace_secs: 0,
        }
    }
}

impl TenantSettings {
    /// The tenant's throttling overrides; unknown buckets and out-of-range values are ignored.
    pub fn rate_limit_overrides(&self) -> Vec<(Bucket, Policy)> {
        let ok = |n: u32| (1..=10_000).contains(&n);
        Bucket::ALL
            .iter()
            .filter(|b| b.tenant_settable())
            .filter_map(|b| {
                let r = self.rate_limits.get(b.name())?;
                (ok(r.per_minute) && ok(r.burst)).then_some((
                    *b,
                    Policy {
                        per_minute: r.per_minute,
                        burst: r.burst,
                    },
                ))
            })
            .collect()
    }

    /// Reads the tenant's settings inside `tx`; unknown keys are ignored, bad values logged and
    /// replaced by the default (values are validated before they are stored, so that happens
    /// only after a downgrade or a hand edit).
    pub async fn load(tx: &TenantTx) -> Result<Self> {
        let rows = setting::Entity::find().all(&**tx).await?;
        let mut map = serde_json::to_value(Self::default())
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        for row in rows {
            if map.contains_key(&row.key) {
                match serde_json::from_str(&row.value) {
                    Ok(v) => {
                        map.insert(row.key, v);
                    }
                    Err(_) => tracing::warn!(key = %row.key, "ignoring a malformed tenant setting"),
                }
            }
        }
        if let Ok(settings) = serde_json::from_value(serde_json::Value::Object(map.clone())) {
            return Ok(settings);
        }
        // Some stored value does not fit: keep every key that does, the default for the rest.
        let mut good = serde_json::to_value(Self::default())
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        for (key, value) in map {
            let mut trial = good.clone();
            trial.insert(key.clone(), value);
            if serde_json::from_value::<Self>(serde_json::Value::Object(trial.clone())).is_ok() {
                good = trial;
            } else {
                tracing::warn!(key = %key, "ignoring a tenant setting that does not fit its type");
            }
        }
        Ok(serde_json::from_value(serde_json::Value::Object(good)).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::RefreshBinding;

    #[test]
    fn refresh_binding_keeps_tokens_in_their_network_and_browser() {
        let off = RefreshBinding::default();
        assert!(off.allows(Some("10.0.0.1"), Some("a"), Some("192.0.2.9"), Some("b")));
        let net = RefreshBinding {
            ipv4_prefix: Some(24),
            ipv6_prefix: Some(64),
            user_agent: false,
        };
        assert!(net.allows(Some("10.0.0.1"), None, Some("10.0.0.254"), None));
        assert!(!net.allows(Some("10.0.0.1"), None, Some("10.0.1.1"), None));
        assert!(net.allows(Some("2001:db8::1"), None, Some("2001:db8::ffff:1"), None));
        assert!(!net.allows(Some("2001:db8::1"), None, Some("2001:db8:0:1::1"), None));
        assert!(!net.allows(Some("10.0.0.1"), None, Some("2001:db8::1"), None));
        assert!(!net.allows(None, None, Some("10.0.0.1"), None));
        let all = RefreshBinding {
            ipv4_prefix: Some(32),
            ipv6_prefix: None,
            user_agent: true,
        };
        assert!(all.allows(Some("10.0.0.1"), Some("ua"), Some("10.0.0.1"), Some("ua")));
        assert!(!all.allows(
            Some("10.0.0.1"),
            Some("ua"),
            Some("10.0.0.1"),
            Some("other")
        ));
        assert!(!all.allows(Some("10.0.0.1"), Some("ua"), Some("10.0.0.2"), Some("ua")));
        let zero = RefreshBinding {
            ipv4_prefix: Some(0),
            ..RefreshBinding::default()
        };
        assert!(zero.allows(Some("10.0.0.1"), None, Some("192.0.2.1"), None));
    }
}
