//! `EmailAddress`: a normalised (trimmed, lower-cased) email address of a plausible shape.

use std::fmt;

use crate::error::Error;

/// A syntactically plausible email address, lower-cased so that lookups are case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and normalises an address (at most 254 characters, one `@`, a dotted domain).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let s = raw.trim().to_lowercase();
        let bad = || Error::invalid("email", "not a valid email address");
        if s.is_empty() || s.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        let e = EmailAddress::parse("  Alice@Example.COM ").expect("valid");
        assert_eq!(e.as_str(), "alice@example.com");
    }

    #[test]
    fn refuses_malformed() {
        for s in [
            "",
            "alice",
            "@x.com",
            "alice@",
            "alice@x",
            "a@@x.com",
            "a b@x.com",
            "a@x..com",
            "a@.x.com",
            "<a@x.com>",
            "a@x.com\r\nBcc: b@y.com",
        ] {
            assert!(EmailAddress::parse(s).is_err(), "{s:?} should be refused");
        }
        assert!(EmailAddress::parse(&format!("{}@x.com", "a".repeat(65))).is_err());
    }
}
