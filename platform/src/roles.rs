//! Roles and their permissions: the built-in roles, and custom roles a tenant defines from the
//! same permission catalogue (its `custom_roles` setting).

use std::collections::BTreeMap;

use sea_orm::DeriveValueType;

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

/// A member's role: one of the built-in roles, or a custom one the tenant's `custom_roles`
/// setting defines. Stored as its name; any name reads back (a custom role removed later simply
/// grants nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum Role {
    /// Everything, and the only role that grants, changes or removes ownership.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Reads members.
    Member,
    /// Reads members, sessions and settings.
    Viewer,
    /// Nothing beyond their own account.
    Guest,
    /// A role the tenant defined.
    Custom(String),
}

impl Role {
    /// The built-in roles, most powerful first.
    pub const BUILT_IN: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Member,
        Role::Viewer,
        Role::Guest,
    ];

    /// The role named `name` (built-in, else custom).
    pub fn named(name: &str) -> Self {
        match name {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            "member" => Self::Member,
            "viewer" => Self::Viewer,
            "guest" => Self::Guest,
            other => Self::Custom(other.to_owned()),
        }
    }

    /// The role's name, as stored and shown.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
            Self::Guest => "guest",
            Self::Custom(name) => name,
        }
    }

    /// The permissions of a built-in role (`None` for a custom one).
    ///
    /// | role | permissions |
    /// | --- | --- |
    /// | `owner`, `admin` | all |
    /// | `viewer` | `members:read`, `sessions:read`, `settings:read` |
    /// | `member` | `members:read` |
    /// | `guest` | none |
    ///
    /// Owners differ from admins by what only an owner may do: grant, change or remove the
    /// `owner` role.
    pub fn builtin(&self) -> Option<&'static [Permission]> {
        use Permission::*;
        match self {
            Self::Owner | Self::Admin => Some(&Permission::ALL),
            Self::Viewer => Some(&[MembersRead, SessionsRead, SettingsRead]),
            Self::Member => Some(&[MembersRead]),
            Self::Guest => Some(&[]),
            Self::Custom(_) => None,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::named(s))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Role {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::named(&String::deserialize(d)?))
    }
}

impl From<String> for Role {
    fn from(name: String) -> Self {
        Self::named(&name)
    }
}

/// In the API a role is its name, a string.
impl poem_openapi::types::Type for Role {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        String::schema_ref()
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ParseFromJSON for Role {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        let name =
            String::parse_from_json(value).map_err(poem_openapi::types::ParseError::propagate)?;
        Ok(Self::named(&name))
    }
}

impl poem_openapi::types::ToJSON for Role {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.as_str().to_owned()))
    }
}

/// The permissions of a built-in role (`None` for any other name).
pub fn builtin(role: &str) -> Option<&'static [Permission]> {
    Role::named(role).builtin()
}

/// The permissions of `role` in a tenant whose custom roles are `custom` (none for an unknown
/// role: it fails closed).
pub fn permissions(role: &Role, custom: &BTreeMap<String, Vec<String>>) -> Vec<Permission> {
    if let Some(p) = role.builtin() {
        return p.to_vec();
    }
    let mut granted: Vec<Permission> = custom
        .get(role.as_str())
        .map(|names| names.iter().filter_map(|n| Permission::parse(n)).collect())
        .unwrap_or_default();
    granted.sort();
    granted.dedup();
    granted
}

/// Whether `role` is a role of the tenant (built-in, or one of its custom roles).
pub fn exists(role: &Role, custom: &BTreeMap<String, Vec<String>>) -> bool {
    role.builtin().is_some() || custom.contains_key(role.as_str())
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
        for role in Role::BUILT_IN {
            assert_eq!(Role::named(role.as_str()), role, "names round-trip");
            for p in role.builtin().expect("built-in") {
                assert!(ALL_PERMISSIONS.contains(&p.as_str()), "{role}: {p:?}");
            }
        }
        assert_eq!(ALL_PERMISSIONS.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert!(builtin("guest").expect("guest").is_empty());
        assert!(permissions(&Role::named("nonsense"), &BTreeMap::new()).is_empty());
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
            permissions(&Role::named("auditor"), &custom),
            vec![Permission::MembersRead, Permission::AuditRead]
        );
        assert!(exists(&Role::named("auditor"), &custom));
        assert!(!exists(&Role::named("auditors"), &custom));
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
