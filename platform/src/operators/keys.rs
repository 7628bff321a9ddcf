//! The platform's own Ed25519 key, which signs operator tokens: created on first use, stored
//! sealed in the control plane, loaded once per process. Tenant keys never verify an operator
//! token and this key never verifies a tenant token, so neither works on the other's paths.

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};

use crate::{
    crypto::jwt::{Signer, SigningKeyMaterial, Verifier},
    error::{Error, Result},
    operators::Operators,
    store::entities::platform_key,
};

/// The `tenant_id` claim of operator tokens (no tenant has it: tenant ids are UUIDs).
pub const OPERATOR_TENANT: &str = "platform";
/// The `aud` of operator tokens.
pub const OPERATOR_AUDIENCE: &str = "platform-admin";

/// The signer and verifier of operator tokens.
pub struct PlatformKey {
    pub signer: Signer,
    pub verifier: Verifier,
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlatformKey")
    }
}

fn aad(kid: &str) -> Vec<u8> {
    format!("platform-key:{kid}").into_bytes()
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("{what}: {e}"))
}

/// The oldest stored platform key, unsealed.
async fn load(ops: &Operators) -> Result<Option<SigningKeyMaterial>> {
    let Some(row) = platform_key::Entity::find()
        .order_by_asc(platform_key::Column::CreatedAt)
        .one(ops.store.control())
        .await?
    else {
        return Ok(None);
    };
    let der = ops
        .sealer
        .open(&row.private_sealed, &aad(&row.kid))
        .map_err(|e| internal("opening the platform key", e))?;
    SigningKeyMaterial::from_pkcs8_der(row.kid, &der)
        .map(Some)
        .map_err(|e| internal("the platform key", e))
}

async fn load_or_create(ops: &Operators) -> Result<PlatformKey> {
    let material = match load(ops).await? {
        Some(m) => m,
        None => {
            let m = SigningKeyMaterial::generate();
            let sealed = ops
                .sealer
                .seal(&m.private_pkcs8_der, &aad(&m.kid))
                .map_err(|e| internal("sealing the platform key", e))?;
            let inserted = platform_key::Entity::insert(platform_key::ActiveModel {
                kid: Set(m.kid.clone()),
                private_sealed: Set(sealed),
                created_at: Set(Utc::now()),
            })
            .exec(ops.store.control())
            .await;
            match inserted {
                Ok(_) => m,
                // Another instance may have created one at the same moment: use the oldest.
                Err(e) => load(ops).await?.ok_or_else(|| Error::from(e))?,
            }
        }
    };
    Ok(PlatformKey {
        signer: Signer::new(&material).map_err(|e| internal("the platform signer", e))?,
        verifier: Verifier::new(&[(material.kid.clone(), material.public_key)])
            .map_err(|e| internal("the platform verifier", e))?,
    })
}

/// The platform key, loaded (or created) on first use.
pub async fn platform_key(ops: &Operators) -> Result<Arc<PlatformKey>> {
    ops.cache
        .key
        .get_or_try_init(|| async { load_or_create(ops).await.map(Arc::new) })
        .await
        .cloned()
}
