//! Platform operators (support staff): accounts in the control plane, always with TOTP
//! ([`auth`] signs them in, [`keys`] holds the platform key that signs their tokens), their own
//! audit log ([`audit`]), the support actions they take on tenants ([`support`]) and the
//! customer search across tenants ([`search`]).

/// The operators' own log, kept with the other audit logs.
pub use crate::audit::operators as audit;
pub mod auth;
pub mod keys;
pub mod lifecycle;
pub mod search;
pub mod support;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    crypto::totp::TotpSecret,
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    store::entities::operator,
};

/// What operators' accounts and sign-in use: the control plane, the password hasher, the
/// sealer of their TOTP secrets, the throttles, their sessions' liveness and the platform key
/// (in `cache`), and the issuer URL of their tokens. Cheap to clone.
#[derive(Clone)]
pub struct Operators {
    pub store: crate::store::Store,
    pub hasher: crate::crypto::passwords::PasswordHasher,
    pub sealer: std::sync::Arc<crate::crypto::sealing::Sealer>,
    pub throttle: crate::throttle::Throttle,
    pub cache: auth::OperatorState,
    /// `<public_url>/v1/admin` is the issuer of operator tokens.
    pub public_url: std::sync::Arc<str>,
}

impl std::fmt::Debug for Operators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operators").finish_non_exhaustive()
    }
}

pub use crate::authz::{OpPermission, operator_permissions as permissions};

/// A newly created operator and the secrets shown once.
#[derive(Debug, serde::Serialize)]
pub struct Created {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    /// Generated: 24 random characters.
    pub password: String,
    /// Base32, for an authenticator app.
    pub totp_secret: String,
    /// The same secret as an `otpauth://` URL.
    pub otpauth_url: String,
}

fn sealed_totp_aad(operator_id: Uuid) -> Vec<u8> {
    format!("operator:{operator_id}:totp").into_bytes()
}

/// The operator's TOTP secret, unsealed.
pub fn totp_secret(ops: &Operators, op: &operator::Model) -> Result<TotpSecret> {
    let raw = ops
        .sealer
        .open(&op.totp_sealed, &sealed_totp_aad(op.id))
        .map_err(|e| Error::Internal(anyhow::anyhow!("opening an operator TOTP secret: {e}")))?;
    TotpSecret::from_bytes(&raw)
        .map_err(|e| Error::Internal(anyhow::anyhow!("an operator TOTP secret: {e}")))
}

fn generated_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `platform operator create`: an operator with a generated password and TOTP already
/// enrolled; the secrets are returned once and stored only hashed or sealed.
pub async fn create(ops: &Operators, email: &str, role: &str) -> Result<Created> {
    let email = EmailAddress::parse(email)?;
    if permissions(role).is_empty() {
        return Err(Error::invalid(
            "role",
            "an operator role is support or admin",
        ));
    }
    let password = generated_password();
    let hash = ops
        .hasher
        .hash(&Password::parse(&password).map_err(|e| Error::invalid("password", e))?)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))?;
    let secret = TotpSecret::generate();
    let id = Uuid::now_v7();
    let sealed = ops
        .sealer
        .seal(secret.bytes(), &sealed_totp_aad(id))
        .map_err(|e| Error::Internal(anyhow::anyhow!("sealing a TOTP secret: {e}")))?;
    let control = ops.store.control();
    if operator::Entity::find()
        .filter(operator::Column::Email.eq(email.as_str()))
        .one(control)
        .await?
        .is_some()
    {
        return Err(Error::Conflict {
            code: ErrorCode::OperatorExists,
            message: format!("an operator {} already exists", email.as_str()),
        });
    }
    let now = Utc::now();
    operator::Entity::insert(operator::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(hash),
        role: Set(role.to_owned()),
        status: Set("active".into()),
        totp_sealed: Set(sealed),
        totp_last_step: Set(None),
        failed_logins: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(control)
    .await?;
    let (otpauth_url, _) = secret
        .provisioning("Platform operators", email.as_str())
        .map_err(|e| Error::Internal(anyhow::anyhow!("otpauth URL: {e}")))?;
    audit::record(
        &ops.store,
        &crate::audit::RequestMeta::default(),
        audit::Entry::new(None, "operator.created")
            .target("operator", id)
            .details(serde_json::json!({ "email": email.as_str(), "role": role })),
    )
    .await?;
    Ok(Created {
        id,
        email: email.as_str().to_owned(),
        role: role.to_owned(),
        password,
        totp_secret: secret.to_base32(),
        otpauth_url,
    })
}

/// Every operator, by email.
pub async fn list(ops: &Operators) -> Result<Vec<operator::Model>> {
    Ok(operator::Entity::find()
        .order_by_asc(operator::Column::Email)
        .all(ops.store.control())
        .await?)
}

/// One operator.
pub async fn get(ops: &Operators, id: Uuid) -> Result<operator::Model> {
    operator::Entity::find_by_id(id)
        .one(ops.store.control())
        .await?
        .ok_or(Error::NotFound("operator"))
}
