//! Per-tenant Ed25519 (EdDSA) access tokens: key generation, JWKs, signing and verification.
//!
//! Uses jsonwebtoken with its `rust_crypto` backend (without a backend, jsonwebtoken ≥ 10 panics
//! at the first encode or decode) and ed25519-dalek 2, the major version that backend uses.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{SigningKey, pkcs8::DecodePrivateKey};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
    errors::ErrorKind,
};
use rand::RngCore;
use secrecy::zeroize::Zeroize;
use serde::{Deserialize, Serialize};

use crate::crypto::CryptoError;

/// The `token_use` of an access token.
pub const ACCESS_TOKEN_USE: &str = "access";
/// The `token_use` of a token that only reaches MFA enrolment (a tenant's policy requires a
/// second factor the user has not set up): anything checking `token_use == "access"` refuses it.
pub const ENROLLMENT_TOKEN_USE: &str = "mfa_enrollment";

/// A generated or loaded Ed25519 key pair: the private key as PKCS#8 DER (seal it before
/// storing), the raw 32-byte public key, and its key id. `Debug` hides the private key.
pub struct SigningKeyMaterial {
    /// The key id put in token headers and the JWKS: 16 random bytes, base64url (22 chars).
    pub kid: String,
    /// The private key, PKCS#8 DER (RFC 8410).
    pub private_pkcs8_der: Vec<u8>,
    /// The raw Ed25519 public key.
    pub public_key: [u8; 32],
}

impl std::fmt::Debug for SigningKeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyMaterial")
            .field("kid", &self.kid)
            .field("private_pkcs8_der", &"[REDACTED]")
            .field("public_key", &URL_SAFE_NO_PAD.encode(self.public_key))
            .finish()
    }
}

impl SigningKeyMaterial {
    /// A fresh key pair with a random kid.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let signing_key = SigningKey::from_bytes(&seed);
        seed.zeroize();
        let mut kid = [0u8; 16];
        rand::rng().fill_bytes(&mut kid);
        Self::from_signing_key(URL_SAFE_NO_PAD.encode(kid), &signing_key)
    }

    /// Rebuilds the material from a stored kid and PKCS#8 DER private key (once unsealed),
    /// deriving the public key from it.
    pub fn from_pkcs8_der(kid: String, der: &[u8]) -> Result<Self, CryptoError> {
        let signing_key = SigningKey::from_pkcs8_der(der).map_err(|_| CryptoError::Key)?;
        Ok(Self::from_signing_key(kid, &signing_key))
    }

    fn from_signing_key(kid: String, signing_key: &SigningKey) -> Self {
        let public_key = signing_key.verifying_key().to_bytes();
        Self {
            kid,
            private_pkcs8_der: pkcs8_v2_der(signing_key, &public_key),
            public_key,
        }
    }

    /// The public half as a JWK.
    pub fn jwk(&self) -> Jwk {
        Jwk::from_public(&self.kid, &self.public_key)
    }
}

/// The RFC 8410 / RFC 5958 `OneAsymmetricKey` (v2) encoding of an Ed25519 key, byte for byte
/// what ed25519-dalek's `to_pkcs8_der` writes, built by hand because that call is fallible:
/// `SEQUENCE { INTEGER 1, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed },
/// [1] BIT STRING public }`.
fn pkcs8_v2_der(signing_key: &SigningKey, public_key: &[u8; 32]) -> Vec<u8> {
    const HEAD: [u8; 16] = [
        0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    const PUBLIC: [u8; 3] = [0x81, 0x21, 0x00];
    let mut seed = signing_key.to_bytes();
    let mut der = Vec::with_capacity(HEAD.len() + 32 + PUBLIC.len() + 32);
    der.extend_from_slice(&HEAD);
    der.extend_from_slice(&seed);
    der.extend_from_slice(&PUBLIC);
    der.extend_from_slice(public_key);
    seed.zeroize();
    der
}

/// An Ed25519 public key as a JSON Web Key (RFC 8037), for the tenant's JWKS document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `"OKP"`.
    pub kty: String,
    /// Always `"Ed25519"`.
    pub crv: String,
    /// The raw public key, base64url without padding.
    pub x: String,
    /// The key id.
    pub kid: String,
    /// Always `"EdDSA"`.
    pub alg: String,
    /// Always `"sig"`; serialised as `use`.
    #[serde(rename = "use")]
    pub use_: String,
}

impl Jwk {
    /// The JWK of an Ed25519 public key.
    pub fn from_public(kid: &str, public_key: &[u8; 32]) -> Self {
        Self {
            kty: "OKP".to_owned(),
            crv: "Ed25519".to_owned(),
            x: URL_SAFE_NO_PAD.encode(public_key),
            kid: kid.to_owned(),
            alg: "EdDSA".to_owned(),
            use_: "sig".to_owned(),
        }
    }

    /// The raw public key, when this is a well-formed Ed25519 signing JWK.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(&self.x).ok()?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok()
    }
}

impl From<&SigningKeyMaterial> for Jwk {
    fn from(material: &SigningKeyMaterial) -> Self {
        material.jwk()
    }
}

/// A JWK Set document (`{"keys": [...]}`), as served at the tenant's JWKS URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The public keys that may have signed a live token.
    pub keys: Vec<Jwk>,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer: the tenant's issuer URL.
    pub iss: String,
    /// Subject: the user id.
    pub sub: String,
    /// Audience.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, seconds since the epoch.
    pub nbf: i64,
    /// Token id.
    pub jti: String,
    /// The tenant the token is valid for.
    pub tenant_id: String,
    /// The session id.
    pub sid: String,
    /// The user's role in the tenant.
    pub role: String,
    /// Granted permissions.
    pub permissions: Vec<String>,
    /// Authentication methods used (`pwd`, `otp`, …).
    pub amr: Vec<String>,
    /// Must be [`ACCESS_TOKEN_USE`] for an access token.
    pub token_use: String,
    /// Set (and `permissions` empty) when the tenant's MFA policy requires the user to enrol
    /// first: such a token only reaches the enrolment endpoints and logout.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_enrollment_required: bool,
}

/// Signs access tokens with one tenant key.
pub struct Signer {
    kid: String,
    key: EncodingKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for `material`; checks that the private key parses and matches the public key.
    pub fn new(material: &SigningKeyMaterial) -> Result<Self, CryptoError> {
        let signing_key = SigningKey::from_pkcs8_der(&material.private_pkcs8_der)
            .map_err(|_| CryptoError::Key)?;
        if signing_key.verifying_key().to_bytes() != material.public_key {
            return Err(CryptoError::Key);
        }
        Ok(Self {
            kid: material.kid.clone(),
            key: EncodingKey::from_ed_der(&material.private_pkcs8_der),
        })
    }

    /// The kid tokens are signed under.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact JWS of `claims`: header `{"typ":"JWT","alg":"EdDSA","kid":…}`.
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, CryptoError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("JWT".to_owned());
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.key).map_err(|e| {
            tracing::error!(error = %e, kid = %self.kid, "signing an access token failed");
            CryptoError::Sign
        })
    }
}

/// Why a token was refused. Answer every variant with the same 401; the variants (and the
/// debug-level log line naming the failed check) are for logs and metrics only.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed, wrong signature, unknown key, wrong audience, tenant or use, not yet valid…
    #[error("invalid access token")]
    Invalid,
    /// Past its expiry (beyond the leeway).
    #[error("invalid access token")]
    Expired,
}

/// Verifies access tokens against a set of public keys by kid, normally the keys of one tenant.
pub struct Verifier {
    keys: HashMap<String, DecodingKey>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Verifier {
    /// A verifier for `(kid, raw Ed25519 public key)` pairs; fails with [`CryptoError::Key`] if a
    /// key is not a valid Ed25519 point.
    pub fn new(keys: &[(String, [u8; 32])]) -> Result<Self, CryptoError> {
        let mut map = HashMap::with_capacity(keys.len());
        for (kid, public_key) in keys {
            ed25519_dalek::VerifyingKey::from_bytes(public_key).map_err(|_| CryptoError::Key)?;
            // jsonwebtoken's "ed DER" decoding key is the raw 32-byte key, not an SPKI document.
            map.insert(kid.clone(), DecodingKey::from_ed_der(public_key));
        }
        Ok(Self { keys: map })
    }

    /// Verifies `token`: a known kid, an EdDSA signature, `exp` and `nbf` (with `leeway_secs`
    /// of clock skew, against the system clock), `aud == expected_aud`, the presence of `exp`,
    /// `iat`, `nbf`, `aud` and `sub`, an `iat` not in the future, `token_use == "access"` and
    /// `tenant_id == expected_tenant_id`.
    pub fn verify(
        &self,
        token: &str,
        expected_tenant_id: &str,
        expected_aud: &str,
        leeway_secs: u64,
    ) -> Result<AccessClaims, TokenError> {
        let refuse = |reason: &'static str, error: TokenError| {
            tracing::debug!(reason, "access token refused");
            error
        };
        let header = decode_header(token).map_err(|_| refuse("malformed", TokenError::Invalid))?;
        if header.alg != Algorithm::EdDSA {
            return Err(refuse("algorithm", TokenError::Invalid));
        }
        let kid = header
            .kid
            .ok_or_else(|| refuse("no kid", TokenError::Invalid))?;
        let key = self
            .keys
            .get(&kid)
            .ok_or_else(|| refuse("unknown kid", TokenError::Invalid))?;

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_audience(&[expected_aud]);
        validation.set_required_spec_claims(&["exp", "nbf", "aud", "sub"]);

        let claims = decode::<AccessClaims>(token, key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => refuse("expired", TokenError::Expired),
                ErrorKind::ImmatureSignature => refuse("not yet valid", TokenError::Invalid),
                ErrorKind::InvalidSignature => refuse("signature", TokenError::Invalid),
                ErrorKind::InvalidAudience => refuse("audience", TokenError::Invalid),
                ErrorKind::MissingRequiredClaim(_) => refuse("missing claim", TokenError::Invalid),
                _ => refuse("malformed", TokenError::Invalid),
            })?
            .claims;

        let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
        let leeway = i64::try_from(leeway_secs).unwrap_or(i64::MAX);
        if claims.iat > now.saturating_add(leeway) {
            return Err(refuse("issued in the future", TokenError::Invalid));
        }
        if claims.token_use != ACCESS_TOKEN_USE && claims.token_use != ENROLLMENT_TOKEN_USE {
            return Err(refuse("token use", TokenError::Invalid));
        }
        if claims.tenant_id != expected_tenant_id {
            return Err(refuse("tenant", TokenError::Invalid));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};

    const TENANT: &str = "tenant-1";
    const AUD: &str = "https://api.example.com";
    const LEEWAY: u64 = 30;

    fn now() -> i64 {
        i64::try_from(jsonwebtoken::get_current_timestamp()).expect("fits")
    }

    fn claims() -> AccessClaims {
        let now = now();
        AccessClaims {
            iss: "https://auth.example.com/t/tenant-1".to_owned(),
            sub: "user-1".to_owned(),
            aud: AUD.to_owned(),
            exp: now + 300,
            iat: now,
            nbf: now,
            jti: "jti-1".to_owned(),
            tenant_id: TENANT.to_owned(),
            sid: "sid-1".to_owned(),
            role: "member".to_owned(),
            permissions: vec!["profile:read".to_owned()],
            amr: vec!["pwd".to_owned()],
            token_use: ACCESS_TOKEN_USE.to_owned(),
            mfa_enrollment_required: false,
        }
    }

    fn setup() -> (SigningKeyMaterial, Signer, Verifier) {
        let material = SigningKeyMaterial::generate();
        let signer = Signer::new(&material).expect("signer");
        let verifier =
            Verifier::new(&[(material.kid.clone(), material.public_key)]).expect("verifier");
        (material, signer, verifier)
    }

    fn b64_json(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64")).expect("json")
    }

    #[test]
    fn signing_works_with_the_rust_crypto_backend() {
        // jsonwebtoken >= 10 panics here when no crypto backend feature is enabled.
        let (_, signer, _) = setup();
        let token = std::panic::catch_unwind(|| signer.sign(&claims()))
            .expect("jsonwebtoken has a crypto backend")
            .expect("signed");
        assert_eq!(token.split('.').count(), 3);
    }

    #[test]
    fn round_trip_and_header() {
        let (material, signer, verifier) = setup();
        let token = signer.sign(&claims()).expect("sign");
        let header = b64_json(token.split('.').next().expect("header"));
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], material.kid.as_str());
        let got = verifier.verify(&token, TENANT, AUD, LEEWAY).expect("valid");
        assert_eq!(got, claims_like(&got));
    }

    /// The expected claims with the times of `got` (they depend on the clock).
    fn claims_like(got: &AccessClaims) -> AccessClaims {
        AccessClaims {
            exp: got.exp,
            iat: got.iat,
            nbf: got.nbf,
            ..claims()
        }
    }

    #[test]
    fn material_round_trips_through_pkcs8_and_hides_the_private_key() {
        let (material, _, _) = setup();
        assert_eq!(material.kid.len(), 22);
        let again =
            SigningKeyMaterial::from_pkcs8_der(material.kid.clone(), &material.private_pkcs8_der)
                .expect("parse");
        assert_eq!(again.public_key, material.public_key);
        let debug = format!("{material:?}");
        assert!(debug.contains("[REDACTED]"));
        assert!(!debug.contains(&format!("{:?}", material.private_pkcs8_der)));
        assert!(SigningKeyMaterial::from_pkcs8_der("k".to_owned(), b"junk").is_err());
    }

    #[test]
    fn pkcs8_encoding_matches_ed25519_dalek() {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let (material, _, _) = setup();
        assert_eq!(material.private_pkcs8_der.len(), 83);
        let key = SigningKey::from_pkcs8_der(&material.private_pkcs8_der).expect("parses");
        assert_eq!(key.verifying_key().to_bytes(), material.public_key);
        let theirs = key.to_pkcs8_der().expect("encodes");
        assert_eq!(theirs.as_bytes(), material.private_pkcs8_der.as_slice());
    }

    #[test]
    fn signer_refuses_inconsistent_material() {
        let (material, _, _) = setup();
        let other = SigningKeyMaterial::generate();
        let mismatched = SigningKeyMaterial {
            kid: material.kid.clone(),
            private_pkcs8_der: material.private_pkcs8_der.clone(),
            public_key: other.public_key,
        };
        assert_eq!(Signer::new(&mismatched).map(|_| ()), Err(CryptoError::Key));
        let junk = SigningKeyMaterial {
            kid: "k".to_owned(),
            private_pkcs8_der: vec![1, 2, 3],
            public_key: [0u8; 32],
        };
        assert_eq!(Signer::new(&junk).map(|_| ()), Err(CryptoError::Key));
    }

    #[test]
    fn tampered_payload_is_refused() {
        let (_, signer, verifier) = setup();
        let token = signer.sign(&claims()).expect("sign");
        let parts: Vec<&str> = token.split('.').collect();
        let mut payload = b64_json(parts[1]);
        payload["role"] = "owner".into();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("json")),
            parts[2]
        );
        assert_eq!(
            verifier.verify(&forged, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        // A flipped signature bit too.
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64");
        sig[0] ^= 1;
        let forged = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            verifier.verify(&forged, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        for junk in ["", "a.b.c", "not a token", &parts[..2].join(".")] {
            assert_eq!(
                verifier.verify(junk, TENANT, AUD, LEEWAY),
                Err(TokenError::Invalid)
            );
        }
    }

    #[test]
    fn wrong_key_and_unknown_kid_are_refused() {
        let (material, signer, _) = setup();
        let token = signer.sign(&claims()).expect("sign");
        let other = SigningKeyMaterial::generate();
        // Same kid, another public key.
        let wrong_key =
            Verifier::new(&[(material.kid.clone(), other.public_key)]).expect("verifier");
        assert_eq!(
            wrong_key.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        // Unknown kid.
        let unknown = Verifier::new(&[(other.kid.clone(), other.public_key)]).expect("verifier");
        assert_eq!(
            unknown.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        // No kid at all.
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = None;
        let no_kid = encode(
            &header,
            &claims(),
            &EncodingKey::from_ed_der(&material.private_pkcs8_der),
        )
        .expect("sign");
        let verifier =
            Verifier::new(&[(material.kid.clone(), material.public_key)]).expect("verifier");
        assert_eq!(
            verifier.verify(&no_kid, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        // Not a valid Ed25519 point.
        let mut bad = [0u8; 32];
        bad[0] = 2;
        bad[31] = 0x80;
        let mut found_invalid = false;
        for b in 0..=255u8 {
            bad[1] = b;
            if VerifyingKey::from_bytes(&bad).is_err() {
                assert_eq!(
                    Verifier::new(&[("k".to_owned(), bad)]).map(|_| ()),
                    Err(CryptoError::Key)
                );
                found_invalid = true;
                break;
            }
        }
        assert!(found_invalid);
    }

    #[test]
    fn hs256_with_the_public_key_as_secret_is_refused() {
        // The classic algorithm-confusion attack.
        let (material, _, verifier) = setup();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(material.kid.clone());
        let forged = encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(&material.public_key),
        )
        .expect("sign");
        assert_eq!(
            verifier.verify(&forged, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn expiry_honours_the_leeway() {
        let (_, signer, verifier) = setup();
        let now = now();
        let within = AccessClaims {
            exp: now - 10,
            iat: now - 310,
            nbf: now - 310,
            ..claims()
        };
        let token = signer.sign(&within).expect("sign");
        assert!(verifier.verify(&token, TENANT, AUD, LEEWAY).is_ok());
        let beyond = AccessClaims {
            exp: now - 120,
            iat: now - 420,
            nbf: now - 420,
            ..claims()
        };
        let token = signer.sign(&beyond).expect("sign");
        assert_eq!(
            verifier.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn not_before_in_the_future_is_refused() {
        let (_, signer, verifier) = setup();
        let now = now();
        let future = AccessClaims {
            nbf: now + 600,
            exp: now + 900,
            ..claims()
        };
        let token = signer.sign(&future).expect("sign");
        assert_eq!(
            verifier.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        let issued_later = AccessClaims {
            iat: now + 600,
            exp: now + 900,
            ..claims()
        };
        let token = signer.sign(&issued_later).expect("sign");
        assert_eq!(
            verifier.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn wrong_tenant_audience_or_use_is_refused() {
        let (_, signer, verifier) = setup();
        let token = signer.sign(&claims()).expect("sign");
        assert_eq!(
            verifier.verify(&token, "tenant-2", AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            verifier.verify(&token, TENANT, "https://other.example.com", LEEWAY),
            Err(TokenError::Invalid)
        );
        let refresh = AccessClaims {
            token_use: "refresh".to_owned(),
            ..claims()
        };
        let token = signer.sign(&refresh).expect("sign");
        assert_eq!(
            verifier.verify(&token, TENANT, AUD, LEEWAY),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn missing_claims_are_refused() {
        let (material, _, verifier) = setup();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(material.kid.clone());
        let key = EncodingKey::from_ed_der(&material.private_pkcs8_der);
        let full = serde_json::to_value(claims()).expect("json");
        for missing in ["exp", "nbf", "iat", "aud", "sub", "tenant_id", "token_use"] {
            let mut partial = full.clone();
            partial
                .as_object_mut()
                .expect("object")
                .remove(missing)
                .expect("present");
            let token = encode(&header, &partial, &key).expect("sign");
            assert_eq!(
                verifier.verify(&token, TENANT, AUD, LEEWAY),
                Err(TokenError::Invalid),
                "{missing}"
            );
        }
    }

    #[test]
    fn jwks_verifies_the_token_independently() {
        let (material, signer, _) = setup();
        let token = signer.sign(&claims()).expect("sign");
        let jwks = Jwks {
            keys: vec![Jwk::from(&material)],
        };
        let json = serde_json::to_string(&jwks).expect("json");
        let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
        let key = &doc["keys"][0];
        assert_eq!(key["kty"], "OKP");
        assert_eq!(key["crv"], "Ed25519");
        assert_eq!(key["alg"], "EdDSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["kid"], material.kid.as_str());
        assert!(key.get("use_").is_none());

        // 1. Plain ed25519-dalek with the `x` bytes, no jsonwebtoken involved.
        let parsed: Jwks = serde_json::from_str(&json).expect("parse");
        let x = parsed.keys[0].public_key().expect("ed25519 jwk");
        assert_eq!(x, material.public_key);
        let (message, sig) = token.rsplit_once('.').expect("three parts");
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).expect("base64"))
            .expect("signature");
        VerifyingKey::from_bytes(&x)
            .expect("point")
            .verify(message.as_bytes(), &sig)
            .expect("signature verifies");

        // 2. jsonwebtoken's own JWK parser reads the document too.
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&json).expect("jwk set");
        let jwk = set.find(&material.kid).expect("kid");
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[AUD]);
        let data = decode::<AccessClaims>(
            &token,
            &DecodingKey::from_jwk(jwk).expect("key"),
            &validation,
        )
        .expect("decodes");
        assert_eq!(data.claims.sub, "user-1");
    }

    #[test]
    fn errors_tell_the_client_nothing() {
        assert_eq!(
            TokenError::Invalid.to_string(),
            TokenError::Expired.to_string()
        );
    }
}
