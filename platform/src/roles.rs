//! Roles and their permissions (the catalogue the members issue extends with custom roles).

/// Every permission a role can grant.
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

/// The permissions of a built-in role (none for an unknown one).
pub fn permissions(role: &str) -> &'static [&'static str] {
    match role {
        // Owners differ from admins by what only an owner may do to the tenant itself
        // (ownership, deletion), not by a permission of this catalogue.
        "owner" | "admin" => ALL_PERMISSIONS,
        "member" | "viewer" => &["members:read"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_only_catalogued_permissions() {
        for role in ROLES {
            for p in permissions(role) {
                assert!(ALL_PERMISSIONS.contains(p), "{role}: {p}");
            }
        }
        assert!(permissions("guest").is_empty());
        assert!(permissions("nonsense").is_empty());
    }
}
