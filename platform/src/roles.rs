//! Roles and their permissions: the built-in roles, and custom roles a tenant defines from the
//! same permission catalogue (its `custom_roles` setting).

use std::collections::BTreeMap;

/// One thing a role may allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// List and view members and invitations.
    MembersRead,
    /// Invite, change roles, disable, enable and remove members.
    MembersWrite,
    /// List every session in the tenant.
    SessionsRead,
    /// Revoke any session in the tenant.
    SessionsRevoke,
    /// Read the audit log.
    AuditRead,
    /// Read the tenant's settings.
    SettingsRead,
    /// Change the tenant's settings.
    SettingsWrite,
}

impl Permission {
    /// The whole catalogue.
    pub const ALL: [Permission; 7] = [
        Permission::MembersRead,
        Permission::MembersWrite,
        Permission::SessionsRead,
        Permission::SessionsRevoke,
        Permission::AuditRead,
        Permission::SettingsRead,
        Permission::SettingsWrite,
    ];

    /// The name used in tokens, settings and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MembersRead => "members:read",
            Self::MembersWrite => "members:write",
            Self::SessionsRead => "sessions:read",
            Self::SessionsRevoke => "sessions:revoke",
            Self::AuditRead => "audit:read",
            Self::SettingsRead => "settings:read",
            Self::SettingsWrite => "settings:write",
        }
    }

    /// The permission named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Every permission name a role can grant.
pub const ALL_PERMISSIONS: &[&str] = &[
    "members:read",
    "members:write",
    "sessions:read",
    "sessions:revoke",
    "audit:read",
    "settings:read",
    "settings:write",
];

/// The built-in roles, most powerful first.
pub const ROLES: &[&str] = &["owner", "admin", "member", "viewer", "guest"];

/// The permissions of a built-in role (`None` for any other name).
///
/// | role | permissions |
/// | --- | --- |
/// | `owner`, `admin` | all |
/// | `viewer` | `members:read`, `sessions:read`, `settings:read` |
/// | `member` | `members:read` |
/// | `guest` | none |
///
/// Owners differ from admins by what only an owner may do: grant, change or remove the `owner`
/// role.
pub fn builtin(role: &str) -> Option<&'static [Permission]> {
    use Permission::*;
    match role {
        "owner" | "admin" => Some(&Permission::ALL),
        "viewer" => Some(&[MembersRead, SessionsRead, SettingsRead]),
        "member" => Some(&[MembersRead]),
        "guest" => Some(&[]),
        _ => None,
    }
}

/// The permissions of `role` in a tenant whose custom roles are `custom` (none for an unknown
/// role: it fails closed).
pub fn permissions(role: &str, custom: &BTreeMap<String, Vec<String>>) -> Vec<Permission> {
    if let Some(p) = builtin(role) {
        return p.to_vec();
    }
    let mut granted: Vec<Permission> = custom
        .get(role)
        .map(|names| names.iter().filter_map(|n| Permission::parse(n)).collect())
        .unwrap_or_default();
    granted.sort();
    granted.dedup();
    granted
}

/// Whether `role` names a role of the tenant (built-in or custom).
pub fn exists(role: &str, custom: &BTreeMap<String, Vec<String>>) -> bool {
    builtin(role).is_some() || custom.contains_key(role)
}

/// Why a custom role definition is refused.
pub fn validate_custom(custom: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
    if custom.len() > 50 {
        return Err("at most 50 custom roles".into());
    }
    for (name, perms) in custom {
        let ok_name = (2..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok_name {
            return Err(format!(
                "custom role {name:?}: a name is 2 to 32 of a-z, 0-9, _ and -, starting with a letter"
            ));
        }
        if builtin(name).is_some() {
            return Err(format!("custom role {name:?}: that is a built-in role"));
        }
        if let Some(bad) = perms.iter().find(|p| Permission::parse(p).is_none()) {
            return Err(format!(
                "custom role {name:?}: unknown permission {bad:?} (known: {})",
                ALL_PERMISSIONS.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_only_catalogued_permissions() {
        for role in ROLES {
            for p in builtin(role).expect("built-in") {
                assert!(ALL_PERMISSIONS.contains(&p.as_str()), "{role}: {p:?}");
            }
        }
        assert_eq!(ALL_PERMISSIONS.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert!(builtin("guest").expect("guest").is_empty());
        assert!(permissions("nonsense", &BTreeMap::new()).is_empty());
    }

    #[test]
    fn viewers_cannot_invite_or_read_the_audit_log() {
        let v = builtin("viewer").expect("viewer");
        assert!(!v.contains(&Permission::MembersWrite));
        assert!(!v.contains(&Permission::AuditRead));
    }

    #[test]
    fn custom_roles_grant_their_known_permissions() {
        let custom = BTreeMap::from([(
            "auditor".to_owned(),
            vec!["audit:read".to_owned(), "members:read".to_owned()],
        )]);
        assert!(validate_custom(&custom).is_ok());
        assert_eq!(
            permissions("auditor", &custom),
            vec![Permission::MembersRead, Permission::AuditRead]
        );
        assert!(exists("auditor", &custom));
        assert!(!exists("auditors", &custom));
    }

    #[test]
    fn bad_custom_roles_are_refused_with_a_reason() {
        for (name, perm) in [
            ("owner", "audit:read"),
            ("Bad Name", "audit:read"),
            ("x", "audit:read"),
            ("ok-name", "root:everything"),
        ] {
            let custom = BTreeMap::from([(name.to_owned(), vec![perm.to_owned()])]);
            let err = validate_custom(&custom).expect_err(name);
            assert!(err.contains(name), "{err}");
        }
    }
}
