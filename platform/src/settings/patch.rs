//! A change of some settings, as `PATCH /settings` (and the operators' tenant update) take it:
//! one field per setting, each absent (unchanged), `null` (back to the default) or a value.
//! It is declared from the same field list as [`TenantSettings`], and applying it destructures
//! the settings exhaustively, so a setting without its patch field does not compile.

use poem_openapi::{Object, types::MaybeUndefined};

use super::{
    BrandingSettings, MfaPolicy, PasswordPolicy, RateLimit, RefreshBinding, TenantSettings,
};
use std::collections::BTreeMap;

/// Declares [`SettingsPatch`] with one `MaybeUndefined` field per setting, and what it changes.
macro_rules! settings_patch {
    ($($(#[$attr:meta])* $field:ident: $ty:ty,)*) => {
        /// A change of some settings: only the fields sent change; `null` restores a default; an
        /// unknown field is refused.
        #[derive(Object, Debug, Default)]
        #[oai(deny_unknown_fields)]
        pub struct SettingsPatch {
            $($(#[$attr])* pub $field: MaybeUndefined<$ty>,)*
        }

        impl SettingsPatch {
            /// The names of the settings this patch changes, in declaration order.
            pub fn changed(&self) -> Vec<&'static str> {
                let mut names = Vec::new();
                $(if !self.$field.is_undefined() {
                    names.push(stringify!($field));
                })*
                names
            }

            /// `current` with this patch applied (`null` fields take `defaults`' value).
            pub fn apply(&self, current: &TenantSettings, defaults: &TenantSettings) -> TenantSettings {
                let TenantSettings { $($field,)* } = current.clone();
                TenantSettings {
                    $($field: match &self.$field {
                        MaybeUndefined::Undefined => $field,
                        MaybeUndefined::Null => defaults.$field.clone(),
                        MaybeUndefined::Value(v) => v.clone().into(),
                    },)*
                }
            }
        }
    };
}

settings_patch! {
    access_token_ttl_secs: u32,
    session_idle_secs: u32,
    session_absolute_secs: u32,
    new_sign_in_alert: bool,
    self_signup: bool,
    #[oai(validator(max_length = 40))]
    default_role: String,
    rate_limits: BTreeMap<String, RateLimit>,
    mfa_policy: MfaPolicy,
    mfa_email_otp: bool,
    custom_roles: BTreeMap<String, Vec<String>>,
    password_policy: PasswordPolicy,
    branding: BrandingSettings,
    email_templates: BTreeMap<String, email_templates::TemplateOverride>,
    audit_retention_days: u32,
    #[oai(validator(max_items = 50))]
    cors_allowed_origins: Vec<String>,
    refresh_binding: RefreshBinding,
    refresh_reuse_grace_secs: u32,
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromJSON;
    use serde_json::json;

    use super::*;
    use crate::roles::Role;

    fn patch(v: serde_json::Value) -> SettingsPatch {
        SettingsPatch::parse_from_json(Some(v)).expect("a patch")
    }

    #[test]
    fn only_sent_fields_change_and_null_restores_the_default() {
        let defaults = TenantSettings::default();
        let mut current = defaults.clone();
        current.self_signup = false;
        current.audit_retention_days = Some(90);
        let p = patch(json!({ "default_role": "viewer", "audit_retention_days": null }));
        assert_eq!(p.changed(), ["default_role", "audit_retention_days"]);
        let next = p.apply(&current, &defaults);
        assert_eq!(next.default_role, Role::Viewer);
        assert_eq!(next.audit_retention_days, None);
        assert!(!next.self_signup, "untouched");
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(SettingsPatch::parse_from_json(Some(json!({ "nonsense": 1 }))).is_err());
    }
}
