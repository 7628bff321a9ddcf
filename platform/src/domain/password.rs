//! `Password`: a candidate password checked against the length and character rules, kept in a
//! zeroized secret and never printed.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The shortest password accepted by any policy, in characters.
pub const MIN_LEN: usize = 8;
/// The longest password accepted, in characters (bounds the hashing cost of one request).
pub const MAX_LEN: usize = 256;

/// Why a password was refused; the texts are safe to show to the user.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    /// Fewer characters than the policy asks for.
    #[error("the password must be at least {min} characters long")]
    TooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// More characters than [`MAX_LEN`].
    #[error("the password must be at most {max} characters long")]
    TooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// Starts or ends with whitespace, is all whitespace, or holds a control character.
    #[error("the password must not start or end with whitespace nor contain control characters")]
    Invalid,
}

/// A password that passed the rules: 8 (or the tenant's minimum) to 256 Unicode characters, no
/// control character, no leading or trailing whitespace. `Debug` prints `Password([REDACTED])`,
/// there is no `Display`, and the memory is zeroized on drop.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Checks `raw` against the default policy (at least [`MIN_LEN`] characters).
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        Self::parse_with_min_len(raw, MIN_LEN)
    }

    /// Checks `raw` against a tenant policy asking for at least `min_len` characters; a minimum
    /// below [`MIN_LEN`] is raised to it, one above [`MAX_LEN`] lowered to it.
    pub fn parse_with_min_len(raw: &str, min_len: usize) -> Result<Self, PasswordError> {
        let min = min_len.clamp(MIN_LEN, MAX_LEN);
        // A char is at most 4 bytes: refuse huge inputs before counting.
        if raw.len() > MAX_LEN * 4 {
            return Err(PasswordError::TooLong { max: MAX_LEN });
        }
        let chars = raw.chars().count();
        if chars < min {
            return Err(PasswordError::TooShort { min });
        }
        if chars > MAX_LEN {
            return Err(PasswordError::TooLong { max: MAX_LEN });
        }
        if raw.chars().any(char::is_control) || raw.trim() != raw {
            return Err(PasswordError::Invalid);
        }
        Ok(Self(SecretString::from(raw)))
    }

    /// The password itself, for the hasher only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_reasonable_passwords() {
        for s in [
            "correct horse",
            "12345678",
            "pässwörd",
            "パスワードパスワード",
            "a b c d e",
        ] {
            let p = Password::parse(s).expect("valid");
            assert_eq!(p.expose(), s);
        }
        assert!(Password::parse(&"x".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 7 characters, 21 bytes.
        assert_eq!(
            Password::parse("日本語日本語日").map(|_| ()),
            Err(PasswordError::TooShort { min: 8 })
        );
        // 256 characters, 512 bytes.
        assert!(Password::parse(&"é".repeat(MAX_LEN)).is_ok());
        assert_eq!(
            Password::parse(&"é".repeat(MAX_LEN + 1)).map(|_| ()),
            Err(PasswordError::TooLong { max: MAX_LEN })
        );
    }

    #[test]
    fn refuses_by_length() {
        assert_eq!(
            Password::parse("short").map(|_| ()),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert_eq!(
            Password::parse(&"x".repeat(MAX_LEN + 1)).map(|_| ()),
            Err(PasswordError::TooLong { max: MAX_LEN })
        );
        assert_eq!(
            Password::parse(&"x".repeat(10_000)).map(|_| ()),
            Err(PasswordError::TooLong { max: MAX_LEN })
        );
    }

    #[test]
    fn refuses_whitespace_and_control_characters() {
        for s in [
            "          ",
            " leading-space",
            "trailing-space ",
            "\tpassword1",
            "pass\nword1",
            "pass\u{0}word1",
            "pass\u{7f}word1",
            "\u{3000}ideographic",
        ] {
            assert_eq!(
                Password::parse(s).map(|_| ()),
                Err(PasswordError::Invalid),
                "{s:?}"
            );
        }
    }

    #[test]
    fn tenant_minimum_applies_and_never_goes_below_eight() {
        assert_eq!(
            Password::parse_with_min_len("elevenchars", 12).map(|_| ()),
            Err(PasswordError::TooShort { min: 12 })
        );
        assert!(Password::parse_with_min_len("twelve chars", 12).is_ok());
        assert_eq!(
            Password::parse_with_min_len("seven77", 4).map(|_| ()),
            Err(PasswordError::TooShort { min: 8 })
        );
    }

    #[test]
    fn debug_and_errors_do_not_show_the_password() {
        let p = Password::parse("hunter2hunter2").expect("valid");
        assert_eq!(format!("{p:?}"), "Password([REDACTED])");
        let e = Password::parse(" hunter2hunter2")
            .map(|_| ())
            .expect_err("invalid");
        assert!(!e.to_string().contains("hunter2"));
    }
}
