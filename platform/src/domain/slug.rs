//! `TenantSlug`: a tenant's URL name, `[a-z0-9][a-z0-9-]{1,38}[a-z0-9]`, reserved words and
//! anything that reads as a UUID refused (tenant paths take a slug or an id, so a slug that
//! parses as an id would name two tenants).

use std::fmt;

use crate::error::Error;

/// Slugs that would be confusing or collide with platform paths.
const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "app",
    "auth",
    "billing",
    "console",
    "control",
    "dashboard",
    "docs",
    "health",
    "help",
    "internal",
    "login",
    "logout",
    "mail",
    "metrics",
    "openapi",
    "operator",
    "operators",
    "platform",
    "public",
    "root",
    "security",
    "signup",
    "static",
    "status",
    "support",
    "system",
    "tenant",
    "tenants",
    "v1",
    "v2",
    "www",
];

/// A valid tenant slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TenantSlug(String);

impl TenantSlug {
    /// Parses a slug, naming the rule it breaks when it is not one.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let bytes = raw.as_bytes();
        let ok_inner = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
        let ok_edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !(3..=40).contains(&bytes.len()) {
            return Err(Error::invalid("slug", "a slug is 3 to 40 characters long"));
        }
        if !bytes.iter().all(ok_inner) || !ok_edge(&bytes[0]) || !ok_edge(&bytes[bytes.len() - 1]) {
            return Err(Error::invalid(
                "slug",
                "a slug uses a-z, 0-9 and '-', and starts and ends with a letter or digit",
            ));
        }
        if uuid::Uuid::try_parse(raw).is_ok() {
            return Err(Error::invalid(
                "slug",
                "a slug may not read as a UUID: tenant paths take a slug or an id",
            ));
        }
        if RESERVED.contains(&raw) {
            return Err(Error::invalid(
                "slug",
                format!("{raw:?} is a reserved word"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_slugs() {
        for s in ["acme", "a1b", "acme-corp", "x-2-y", &"a".repeat(40)] {
            assert_eq!(TenantSlug::parse(s).expect(s).as_str(), s);
        }
    }

    #[test]
    fn refuses_bad_shapes_and_reserved_words() {
        for s in [
            "",
            "ab",
            "-acme",
            "acme-",
            "Acme",
            "ac_me",
            "ac me",
            "acmé",
            "admin",
            "api",
            "www",
            &"a".repeat(41),
            "../x",
            // Tenant paths take a slug or an id: a slug that reads as an id is ambiguous.
            "123e4567-e89b-12d3-a456-426614174000",
            "123e4567e89b12d3a456426614174000",
        ] {
            assert!(TenantSlug::parse(s).is_err(), "{s:?} should be refused");
        }
    }
}
