//! Security primitives: password hashing ([`passwords`]), encryption at rest ([`sealing`]),
//! one-time codes and opaque tokens ([`codes`]), TOTP and backup codes ([`totp`]) and
//! access-token signing ([`jwt`]).
//!
//! Nothing here logs or puts into an error text a password, code, token or key.

pub mod codes;
pub mod jwt;
pub mod passwords;
pub mod sealing;
pub mod totp;

use hmac::{Hmac, Mac};
use secrecy::zeroize::Zeroize;
use sha2::Sha256;

/// A failure of a primitive; every text is safe to show to a client (no secret in it).
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum CryptoError {
    /// Too many password hashes are already running or waiting: answer 503, try again later.
    #[error("the server is busy, try again shortly")]
    Busy,
    /// Password hashing failed (bad parameters or an internal failure).
    #[error("password hashing failed")]
    Hash,
    /// Sealed data could not be opened (wrong key or context, tampered, or unknown format),
    /// or data could not be sealed.
    #[error("sealed data could not be opened")]
    Seal,
    /// Key material is malformed or inconsistent.
    #[error("invalid key material")]
    Key,
    /// A token could not be signed.
    #[error("token signing failed")]
    Sign,
}

/// Derives a 32-byte subkey of `master_key` for one purpose named by `label`.
///
/// This is HKDF-Expand (RFC 5869) with SHA-256, PRK = `master_key`, info = `label`, L = 32, that
/// is `HMAC-SHA256(master_key, label || 0x01)`. The extract step is skipped because the master key
/// is already 32 uniformly random bytes. Distinct labels give independent keys, so the master key
/// itself is never used for two purposes.
pub(crate) fn derive_key(master_key: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = keyed_hmac(master_key);
    mac.update(label.as_bytes());
    mac.update(&[1u8]);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 keyed with 32 bytes, built without a fallible call: a key shorter than the
/// 64-byte block is zero-padded by HMAC itself, so padding it here gives the same MAC.
pub(crate) fn keyed_hmac(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
    block.zeroize();
    mac
}

/// Lower-case hexadecimal.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

impl From<CryptoError> for crate::error::Error {
    /// A saturated hashing pool is `503 server_busy`; any other crypto failure is internal.
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Busy => Self::Busy,
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_key_matches_rfc5869_expand() {
        // HKDF-Expand with one output block is HMAC(PRK, info || 0x01).
        let master = [7u8; 32];
        let mut mac = Hmac::<Sha256>::new_from_slice(&master).expect("any length");
        mac.update(b"label\x01");
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(derive_key(&master, "label"), expected);
        assert_ne!(derive_key(&master, "label"), derive_key(&master, "other"));
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(to_hex(&[0x00, 0xab, 0xff, 0x10]), "00abff10");
    }
}
