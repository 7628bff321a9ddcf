//! A tenant's password policy: a minimum length, and refusing common passwords (zxcvbn's
//! bundled list of about 30,000, matched up to case and common letter substitutions) and
//! passwords made from the account's own email address.

use serde::{Deserialize, Serialize};
use zxcvbn::matching::patterns::MatchPattern;

use crate::{
    domain::Password,
    error::{Error, Result},
};

/// The shortest minimum a tenant may set (NIST SP 800-63B).
pub const MIN_LENGTH_FLOOR: u32 = 8;
/// The longest minimum a tenant may set.
pub const MIN_LENGTH_CEILING: u32 = 128;

/// What a new password must be.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, poem_openapi::Object)]
#[serde(deny_unknown_fields)]
#[oai(rename = "PasswordPolicyView")]
pub struct PasswordPolicy {
    /// Fewest characters, 8 to 128 (default 8).
    pub min_length: u32,
    /// Refuse the ~30,000 most common passwords (up to case and letter substitutions) and
    /// passwords made from the email address (default on).
    pub refuse_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: MIN_LENGTH_FLOOR,
            refuse_common: true,
        }
    }
}

impl PasswordPolicy {
    /// Why this policy itself is unacceptable.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if !(MIN_LENGTH_FLOOR..=MIN_LENGTH_CEILING).contains(&self.min_length) {
            return Err(format!(
                "password_policy.min_length must be {MIN_LENGTH_FLOOR} to {MIN_LENGTH_CEILING}"
            ));
        }
        Ok(())
    }

    /// Checks a new `password` of the account `email` (if known) against this policy.
    pub fn check(&self, password: &Password, email: Option<&str>) -> Result<()> {
        let p = password.expose();
        if p.chars().count() < self.min_length as usize {
            return Err(Error::invalid(
                "password",
                format!("a password has at least {} characters", self.min_length),
            ));
        }
        if !self.refuse_common {
            return Ok(());
        }
        let local = email.and_then(|e| e.split('@').next()).unwrap_or_default();
        let inputs: Vec<&str> = [local, email.unwrap_or_default()]
            .into_iter()
            .filter(|s| s.len() >= 3)
            .collect();
        let entropy = zxcvbn::zxcvbn(p, &inputs);
        let whole: Vec<_> = entropy
            .sequence()
            .iter()
            .filter(|m| m.i == 0 && m.j + 1 == p.chars().count())
            .collect();
        for m in whole {
            if let MatchPattern::Dictionary(d) = &m.pattern {
                // zxcvbn does not export its dictionary enum; its names are stable.
                match format!("{:?}", d.dictionary_name).as_str() {
                    "Passwords" => {
                        return Err(Error::invalid(
                            "password",
                            "this password is among the most common ones; choose another",
                        ));
                    }
                    "UserInputs" => {
                        return Err(Error::invalid(
                            "password",
                            "a password must not be made from your email address",
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::parse(s).expect("parses")
    }

    #[test]
    fn common_passwords_are_refused_up_to_case_and_substitutions() {
        let p = PasswordPolicy::default();
        for bad in [
            "password",
            "Password1",
            "P@ssw0rd",
            "qwertyuiop",
            "iloveyou",
            "12345678",
        ] {
            assert!(p.check(&pw(bad), None).is_err(), "{bad}");
        }
        for good in ["Correct-Horse-Battery-9", "tangerine orbit 42 lamp"] {
            assert!(p.check(&pw(good), None).is_ok(), "{good}");
        }
    }

    #[test]
    fn the_email_is_no_password() {
        let p = PasswordPolicy::default();
        let err = p
            .check(
                &pw("marguerite.example"),
                Some("marguerite.example@acme.test"),
            )
            .expect_err("made from the email");
        assert!(err.to_string().contains("email"), "{err}");
    }

    #[test]
    fn minimum_length_and_switching_the_list_off() {
        let p = PasswordPolicy {
            min_length: 12,
            refuse_common: false,
        };
        assert!(p.check(&pw("short-pass1"), None).is_err());
        assert!(p.check(&pw("password1234"), None).is_ok(), "list off");
        assert!(
            PasswordPolicy {
                min_length: 7,
                ..p.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            PasswordPolicy {
                min_length: 129,
                ..p.clone()
            }
            .validate()
            .is_err()
        );
        assert!(p.validate().is_ok());
    }
}
