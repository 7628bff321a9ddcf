//! One-time codes (6 digits, stored as keyed HMACs) and opaque bearer tokens (stored as SHA-256).

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::crypto::{derive_key, keyed_hmac, to_hex};

/// The label the code-hashing key is derived under (see [`crate::crypto::derive_key`]).
const KEY_LABEL: &str = "platform one-time codes v1";
/// Digits in a one-time code.
pub const OTP_DIGITS: usize = 6;

/// Why a code was refused; safe to show to the user.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Not exactly six digits.
    #[error("the code must be 6 digits")]
    Invalid,
}

/// A six-digit one-time code; `Debug` prints `OtpCode([REDACTED])` and there is no `Display`.
#[derive(Clone)]
pub struct OtpCode(SecretString);

impl OtpCode {
    /// A fresh uniformly random code, `000000`–`999999`.
    pub fn generate() -> Self {
        let n: u32 = rand::rng().random_range(0..1_000_000);
        Self(SecretString::from(format!("{n:06}")))
    }

    /// Parses a code typed by a user: exactly six ASCII digits once surrounding whitespace is
    /// trimmed.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let s = raw.trim();
        if s.len() != OTP_DIGITS || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Invalid);
        }
        Ok(Self(SecretString::from(s)))
    }

    /// The six digits, to send to the user or to hash.
    pub fn as_str(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode([REDACTED])")
    }
}

/// Hashes one-time codes with HMAC-SHA256 under a key derived from the master key, binding each
/// to its tenant, its purpose (e.g. `"email-verify"`) and its subject (an email address or a
/// user id). A code has only 10⁶ values, so an unkeyed hash would be reversed at once by anyone
/// who reads the table; binding the tenant means a row copied into another tenant's store never
/// matches there.
pub struct CodeHasher {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeHasher([REDACTED])")
    }
}

impl CodeHasher {
    /// A hasher keyed with a subkey of `master_key` (label `"platform one-time codes v1"`).
    pub fn new(master_key: &[u8; 32]) -> Self {
        let mut key = derive_key(master_key, KEY_LABEL);
        let mac = keyed_hmac(&key);
        secrecy::zeroize::Zeroize::zeroize(&mut key);
        Self { mac }
    }

    /// Lower-case hex HMAC-SHA256 of the length-prefixed tenant id, `purpose`, `subject` and
    /// `code` (each as a big-endian u64 byte length followed by its bytes, so no two tuples
    /// collide).
    pub fn hash(&self, tenant: Uuid, purpose: &str, subject: &str, code: &str) -> String {
        let tenant = tenant.to_string();
        to_hex(&self.mac_bytes(&[&tenant, purpose, subject, code]))
    }

    /// Whether `code` hashes to `stored_hex` for this tenant, purpose and subject, compared in
    /// constant time.
    pub fn verify(
        &self,
        tenant: Uuid,
        purpose: &str,
        subject: &str,
        code: &str,
        stored_hex: &str,
    ) -> bool {
        let computed = self.hash(tenant, purpose, subject, code);
        computed.as_bytes().ct_eq(stored_hex.as_bytes()).into()
    }

    /// The hash earlier releases stored, without the tenant: only long-lived backup codes made
    /// before the tenant was bound are still looked up by it.
    pub fn legacy_hash(&self, purpose: &str, subject: &str, code: &str) -> String {
        to_hex(&self.mac_bytes(&[purpose, subject, code]))
    }

    fn mac_bytes(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

/// A fresh opaque bearer token: 32 random bytes, base64url without padding (43 characters).
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lower-case hex SHA-256 of a token, the form stored and looked up. Tokens carry 256 random
/// bits, so no key or salt is needed.
pub fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..200)
            .map(|_| OtpCode::generate().as_str().to_owned())
            .collect();
        for c in &codes {
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
            assert!(OtpCode::parse(c).is_ok());
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 150);
    }

    #[test]
    fn parse_accepts_six_digits_only() {
        assert_eq!(
            OtpCode::parse(" 012345\n").expect("valid").as_str(),
            "012345"
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "12 345",
            "１２３４５６",
            "-12345",
            "+12345",
        ] {
            assert_eq!(
                OtpCode::parse(bad).map(|_| ()),
                Err(CodeError::Invalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let code = OtpCode::parse("123456").expect("valid");
        assert_eq!(format!("{code:?}"), "OtpCode([REDACTED])");
        assert_eq!(
            format!("{:?}", CodeHasher::new(&[1u8; 32])),
            "CodeHasher([REDACTED])"
        );
    }

    #[test]
    fn code_hash_round_trip_and_binding() {
        let h = CodeHasher::new(&[1u8; 32]);
        let (t1, t2) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let stored = h.hash(t1, "email-verify", "u1", "123456");
        assert_eq!(stored.len(), 64);
        assert!(h.verify(t1, "email-verify", "u1", "123456", &stored));
        assert!(!h.verify(t1, "email-verify", "u1", "123457", &stored));
        assert!(!h.verify(t1, "password-reset", "u1", "123456", &stored));
        assert!(!h.verify(t1, "email-verify", "u2", "123456", &stored));
        // The same code, purpose and subject in another tenant.
        assert!(!h.verify(t2, "email-verify", "u1", "123456", &stored));
        assert!(!h.verify(t1, "email-verify", "u1", "123456", &stored[..63]));
        assert!(!h.verify(t1, "email-verify", "u1", "123456", ""));
        // Another master key gives another hash.
        assert!(!CodeHasher::new(&[2u8; 32]).verify(t1, "email-verify", "u1", "123456", &stored));
        // Length prefixes keep boundaries apart.
        assert_ne!(
            h.hash(t1, "ab", "c", "123456"),
            h.hash(t1, "a", "bc", "123456")
        );
        // The legacy form lacks the tenant and differs.
        assert_ne!(stored, h.legacy_hash("email-verify", "u1", "123456"));
        // Keyed: not the plain SHA-256 nor the master-keyed HMAC.
        assert_ne!(stored, token_hash("123456"));
    }

    #[test]
    fn opaque_tokens() {
        let a = new_opaque_token();
        let b = new_opaque_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).expect("base64").len(), 32);
        // SHA-256("abc"), FIPS 180-2.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
