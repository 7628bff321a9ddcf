//! Time-based one-time passwords (RFC 6238 through totp-rs: SHA-1, 6 digits, 30 s steps, ±1
//! step of skew) and backup codes. Pure functions: the caller stores secrets sealed, remembers
//! the last accepted step (a step is accepted once) and stores backup codes hashed.

use std::fmt;

use rand::{Rng, RngCore};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use totp_rs::{Builder, Secret, Totp};

use super::CryptoError;

/// Bytes in a TOTP secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Seconds in a TOTP step.
pub const STEP_SECS: u64 = 30;
/// Backup codes handed out at once.
pub const BACKUP_CODE_COUNT: usize = 10;
/// Characters in a backup code (without its hyphen).
const BACKUP_CODE_LEN: usize = 10;
/// Lower-case letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols, so a code
/// carries 10·log2(31) ≈ 49.5 bits.
const BACKUP_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A TOTP shared secret; `Debug` never prints it.
pub struct TotpSecret(SecretBox<[u8; SECRET_BYTES]>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([REDACTED])")
    }
}

impl TotpSecret {
    /// A fresh random secret.
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// A secret from its raw bytes (as unsealed from storage).
    pub fn from_bytes(raw: &[u8]) -> Result<Self, CryptoError> {
        let bytes: [u8; SECRET_BYTES] = raw.try_into().map_err(|_| CryptoError::Key)?;
        Ok(Self(SecretBox::new(Box::new(bytes))))
    }

    /// A secret from its base32 form (as an authenticator app shows it).
    pub fn from_base32(encoded: &str) -> Result<Self, CryptoError> {
        let secret = Secret::try_from_base32(encoded.trim()).map_err(|_| CryptoError::Key)?;
        Self::from_bytes(secret.as_ref())
    }

    /// The raw bytes, to seal for storage.
    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// The base32 form (RFC 4648, no padding) that users type into an authenticator app.
    pub fn to_base32(&self) -> String {
        Secret::from(self.bytes().to_vec()).to_base32()
    }

    fn totp(&self, issuer: Option<&str>, account: &str) -> Result<Totp, CryptoError> {
        Builder::new()
            .with_secret(self.bytes().to_vec())
            .with_skew(1)
            .with_step_duration(STEP_SECS)
            .with_issuer(issuer.map(label))
            .with_account_name(label(account))
            .build()
            .map_err(|_| CryptoError::Key)
    }

    /// What an authenticator app needs: the `otpauth://` URL naming `issuer` and `account`, and
    /// a PNG QR code of it (base64, no `data:` prefix).
    pub fn provisioning(
        &self,
        issuer: &str,
        account: &str,
    ) -> Result<(String, String), CryptoError> {
        let totp = self.totp(Some(issuer), account)?;
        let url = totp.to_url().map_err(|_| CryptoError::Key)?;
        let qr = totp.to_qr_base64().map_err(|_| CryptoError::Key)?;
        Ok((url, qr))
    }

    /// The step whose code `code` is, within ±1 step of `unix_time`, if it is later than
    /// `last_used_step`; `None` for a wrong, malformed or replayed code.
    pub fn verify(&self, code: &str, unix_time: u64, last_used_step: Option<i64>) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = self.totp(None, "-").ok()?;
        let step = i64::try_from(totp.check(code, unix_time)?).ok()?;
        match last_used_step {
            Some(last) if step <= last => None,
            _ => Some(step),
        }
    }

    /// The code of the step containing `unix_time` (for tests and `platform operator create`).
    pub fn code_at(&self, unix_time: u64) -> String {
        self.totp(None, "-")
            .map(|t| t.generate(unix_time).to_string())
            .unwrap_or_default()
    }
}

/// An otpauth label part: `:` separates issuer from account, so it may not appear in either.
fn label(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ':' { ' ' } else { c })
        .take(100)
        .collect();
    match cleaned.trim() {
        "" => "account".into(),
        t => t.into(),
    }
}

/// A backup code; `Debug` never prints it.
#[derive(Clone)]
pub struct BackupCode(SecretString);

impl fmt::Debug for BackupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCode([REDACTED])")
    }
}

impl BackupCode {
    /// A fresh random code.
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let s: String = (0..BACKUP_CODE_LEN)
            .map(|_| char::from(BACKUP_ALPHABET[rng.random_range(0..BACKUP_ALPHABET.len())]))
            .collect();
        Self(SecretString::from(s))
    }

    /// Parses a code as a user types it: case, spaces and hyphens do not matter.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() > 64 {
            return None;
        }
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        (s.len() == BACKUP_CODE_LEN && s.bytes().all(|b| BACKUP_ALPHABET.contains(&b)))
            .then(|| Self(SecretString::from(s)))
    }

    /// The normalised form, to hash.
    pub fn normalized(&self) -> &str {
        self.0.expose_secret()
    }

    /// The form shown to the user: `abcde-fghjk`.
    pub fn display(&self) -> String {
        let s = self.0.expose_secret();
        format!(
            "{}-{}",
            &s[..BACKUP_CODE_LEN / 2],
            &s[BACKUP_CODE_LEN / 2..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1: the secret "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn matches_the_rfc_test_vectors() {
        let s = TotpSecret::from_bytes(RFC_SECRET).expect("20 bytes");
        // The RFC lists 8 digits; 6-digit codes are their last six.
        assert_eq!(s.code_at(59), "287082");
        assert_eq!(s.code_at(1_111_111_109), "081804");
        assert_eq!(s.code_at(1_234_567_890), "005924");
        assert_eq!(s.verify("287082", 59, None), Some(1));
    }

    #[test]
    fn accepts_one_step_of_skew_and_no_more() {
        let s = TotpSecret::generate();
        let now = 1_700_000_000;
        let step = i64::try_from(now / STEP_SECS).expect("fits");
        assert_eq!(s.verify(&s.code_at(now), now, None), Some(step));
        assert_eq!(s.verify(&s.code_at(now - 30), now, None), Some(step - 1));
        assert_eq!(s.verify(&s.code_at(now + 30), now, None), Some(step + 1));
        assert_eq!(s.verify(&s.code_at(now - 60), now, None), None);
        assert_eq!(s.verify(&s.code_at(now + 60), now, None), None);
    }

    #[test]
    fn refuses_a_step_already_used_or_older() {
        let s = TotpSecret::generate();
        let now = 1_700_000_000;
        let step = i64::try_from(now / STEP_SECS).expect("fits");
        let code = s.code_at(now);
        assert_eq!(s.verify(&code, now, Some(step)), None);
        assert_eq!(s.verify(&code, now, Some(step + 1)), None);
        assert_eq!(s.verify(&code, now, Some(step - 1)), Some(step));
    }

    #[test]
    fn refuses_malformed_codes() {
        let s = TotpSecret::generate();
        for bad in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert_eq!(s.verify(bad, 1_700_000_000, None), None, "{bad}");
        }
    }

    #[test]
    fn base32_round_trips_and_provisioning_names_issuer_and_account() {
        let s = TotpSecret::generate();
        let b32 = s.to_base32();
        assert_eq!(b32.len(), 32);
        let back = TotpSecret::from_base32(&b32).expect("round trip");
        assert_eq!(back.bytes(), s.bytes());
        let (url, qr) = s
            .provisioning("Acme: Corp", "ann@acme.test")
            .expect("provisioning");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&format!("secret={b32}")), "{url}");
        assert!(url.contains("issuer=Acme"), "{url}");
        assert!(
            url.contains("ann%40acme.test") || url.contains("ann@acme.test"),
            "{url}"
        );
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(qr)
            .expect("base64");
        assert_eq!(&png[..4], b"\x89PNG");
    }

    #[test]
    fn backup_codes_parse_leniently_and_display_with_a_hyphen() {
        let c = BackupCode::generate();
        let shown = c.display();
        assert_eq!(shown.len(), 11);
        let typed = format!("  {} ", shown.to_uppercase().replace('-', " - "));
        assert_eq!(
            BackupCode::parse(&typed).map(|p| p.normalized().to_owned()),
            Some(c.normalized().to_owned())
        );
        assert!(BackupCode::parse("short").is_none());
        assert!(
            BackupCode::parse("abcde-fghj0").is_none(),
            "0 is not in the alphabet"
        );
        assert!(BackupCode::parse(&"a".repeat(100)).is_none());
        assert!(format!("{c:?}").contains("REDACTED"));
    }

    #[test]
    fn generated_backup_codes_differ() {
        let codes: std::collections::HashSet<String> = (0..BACKUP_CODE_COUNT)
            .map(|_| BackupCode::generate().normalized().to_owned())
            .collect();
        assert_eq!(codes.len(), BACKUP_CODE_COUNT);
    }
}
