//! Encryption at rest: XChaCha20-Poly1305 under a key derived from the master key, giving
//! `"v1." + base64url(nonce || ciphertext)` strings bound to a caller-chosen context (AAD).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    Key, KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use rand::RngCore;
use secrecy::zeroize::Zeroize;

use crate::crypto::{CryptoError, derive_key};

/// The label the sealing key is derived under (see [`crate::crypto::derive_key`]).
const KEY_LABEL: &str = "platform sealing v1";
/// The prefix of the current format.
const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Seals and opens secrets with a key derived from the master key; cheap to share by reference.
///
/// The AAD names what a sealed value is and whose it is (for example
/// `"tenant:{id}:signing-key:{kid}"`), so that a value copied to another row or tenant does not
/// open there.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([REDACTED])")
    }
}

impl Sealer {
    /// A sealer whose AEAD key is derived from `master_key` under the label
    /// `"platform sealing v1"`; the master key itself never encrypts anything.
    pub fn new(master_key: &[u8; 32]) -> Self {
        let mut key_bytes = derive_key(master_key, KEY_LABEL);
        let mut key = Key::from(key_bytes);
        let cipher = XChaCha20Poly1305::new(&key);
        key_bytes.zeroize();
        key.as_mut_slice().zeroize();
        Self { cipher }
    }

    /// Encrypts `plaintext` bound to `aad` with a fresh random 24-byte nonce:
    /// `"v1." + base64url-no-pad(nonce || ciphertext || tag)`. Fails only for absurdly large
    /// inputs (beyond what XChaCha20-Poly1305 can encrypt under one nonce).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Seal)?;
        let mut raw = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ciphertext);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw)))
    }

    /// Decrypts a value made by [`Sealer::seal`] with the same master key and `aad`. A wrong key,
    /// a wrong `aad`, any tampering, a truncated value or an unknown version all give
    /// [`CryptoError::Seal`].
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(CryptoError::Seal)?;
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CryptoError::Seal)?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Seal);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| CryptoError::Seal)?;
        self.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Seal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [42u8; 32];

    #[test]
    fn round_trip() {
        let sealer = Sealer::new(&KEY);
        let sealed = sealer.seal(b"top secret", b"ctx").expect("seal");
        assert!(sealed.starts_with("v1."));
        assert_eq!(sealed.len(), 3 + (24 + 10 + 16usize).div_ceil(3) * 4 - 1);
        assert!(!sealed.contains("top secret"));
        assert_eq!(sealer.open(&sealed, b"ctx").expect("open"), b"top secret");
        // Empty plaintext works too.
        let empty = sealer.seal(b"", b"").expect("seal");
        assert_eq!(sealer.open(&empty, b"").expect("open"), b"");
    }

    #[test]
    fn nonces_are_fresh() {
        let sealer = Sealer::new(&KEY);
        let a = sealer.seal(b"same", b"ctx").expect("seal");
        let b = sealer.seal(b"same", b"ctx").expect("seal");
        assert_ne!(a, b);
    }

    #[test]
    fn wrong_key_or_aad_fails() {
        let sealed = Sealer::new(&KEY).seal(b"top secret", b"ctx").expect("seal");
        assert_eq!(
            Sealer::new(&[43u8; 32]).open(&sealed, b"ctx"),
            Err(CryptoError::Seal)
        );
        assert_eq!(
            Sealer::new(&KEY).open(&sealed, b"other"),
            Err(CryptoError::Seal)
        );
    }

    #[test]
    fn master_key_is_not_the_aead_key() {
        // A value sealed directly under the master key must not open.
        let direct = XChaCha20Poly1305::new(&Key::from(KEY));
        let nonce = [0u8; NONCE_LEN];
        let ct = direct
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: b"x",
                    aad: b"",
                },
            )
            .expect("encrypt");
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&ct);
        let forged = format!("v1.{}", URL_SAFE_NO_PAD.encode(raw));
        assert!(Sealer::new(&KEY).open(&forged, b"").is_err());
    }

    #[test]
    fn tampering_and_bad_formats_fail() {
        let sealer = Sealer::new(&KEY);
        let sealed = sealer.seal(b"top secret", b"ctx").expect("seal");
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed[3..]).expect("base64");
        for i in [0, 23, 24, raw.len() - 1] {
            raw[i] ^= 1;
            let bad = format!("v1.{}", URL_SAFE_NO_PAD.encode(&raw));
            assert_eq!(
                sealer.open(&bad, b"ctx"),
                Err(CryptoError::Seal),
                "byte {i}"
            );
            raw[i] ^= 1;
        }
        for bad in [
            "",
            "v1.",
            "v1.AAAA",
            "v1.!!!!",
            "v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &sealed[3..],
            &sealed.replacen("v1.", "v2.", 1),
            &sealed[..sealed.len() - 1],
        ] {
            assert_eq!(sealer.open(bad, b"ctx"), Err(CryptoError::Seal), "{bad:?}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", Sealer::new(&KEY)), "Sealer([REDACTED])");
    }
}
