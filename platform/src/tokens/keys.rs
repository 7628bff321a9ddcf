//! Each tenant's Ed25519 signing keys: created with the tenant, private halves sealed with the
//! master key (bound to the tenant and kid), cached per tenant, rotated with an overlap window
//! (the previous key keeps verifying until the next rotation retires it).

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use moka::future::Cache;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    crypto::{
        jwt::{AccessClaims, Jwk, Signer, SigningKeyMaterial, Verifier},
        sealing::Sealer,
    },
    error::{Error, Result},
    store::{Change, TenantScope, TenantTx, entities::signing_key},
};

const CURRENT: &str = "current";
const PREVIOUS: &str = "previous";
const RETIRED: &str = "retired";

/// A tenant's usable keys: the signer of the current key, and verifiers for current + previous.
pub struct TenantKeys {
    pub kid: String,
    pub signer: Signer,
    pub verifier: Verifier,
    pub jwks: Vec<Jwk>,
}

impl std::fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantKeys")
            .field("kid", &self.kid)
            .finish()
    }
}

/// Loads, caches, creates and rotates tenants' signing keys; cheap to clone.
#[derive(Clone)]
pub struct Keys {
    sealer: Arc<Sealer>,
    cache: Cache<Uuid, Arc<TenantKeys>>,
    /// Tokens whose signature and claims already checked out, by their exact text, for at most
    /// 30 s (and never past `exp`); cleared when any key rotates. Session liveness is still
    /// checked on every request.
    verified: Cache<String, Arc<AccessClaims>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys")
    }
}

fn aad(tenant_id: Uuid, kid: &str) -> Vec<u8> {
    format!("signing-key:{tenant_id}:{kid}").into_bytes()
}

impl Keys {
    /// Keys sealed with `sealer` (derived from the master key).
    pub fn new(sealer: Arc<Sealer>) -> Self {
        Self {
            sealer,
            // Other instances learn of a rotation when it commits, or within this long.
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            verified: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
        }
    }

    /// Verifies an access token of `scope`'s tenant: from the cache of recently verified tokens,
    /// or with the tenant's keys (see [`crate::http::auth`] for the checks).
    pub async fn verify_access(
        &self,
        scope: &TenantScope,
        token: &str,
        leeway_secs: u64,
    ) -> Result<Option<Arc<AccessClaims>>> {
        let tenant_id = scope.tenant_id();
        if let Some(claims) = self.verified.get(token).await
            && claims.tenant_id == tenant_id.to_string()
            && claims.exp + i64::try_from(leeway_secs).unwrap_or(0) > Utc::now().timestamp()
        {
            return Ok(Some(claims));
        }
        let keys = self.for_tenant(scope).await?;
        match keys.verifier.verify(
            token,
            &tenant_id.to_string(),
            &crate::tokens::audience(tenant_id),
            leeway_secs,
        ) {
            Ok(claims) => {
                let claims = Arc::new(claims);
                self.verified.insert(token.to_owned(), claims.clone()).await;
                Ok(Some(claims))
            }
            Err(e) => {
                tracing::debug!(reason = ?e, "access token refused");
                Ok(None)
            }
        }
    }

    /// Creates a current key when the tenant has none (provisioning, or tenants made before
    /// keys existed). Serialised per tenant, so concurrent callers create one key.
    pub async fn ensure(&self, tx: &TenantTx) -> Result<()> {
        tx.lock("signing-keys").await?;
        let has_current = signing_key::Entity::find()
            .filter(signing_key::Column::Status.eq(CURRENT))
            .one(&**tx)
            .await?
            .is_some();
        if !has_current {
            self.insert_new(tx).await?;
        }
        Ok(())
    }

    async fn insert_new(&self, tx: &TenantTx) -> Result<String> {
        let material = SigningKeyMaterial::generate();
        let sealed = self
            .sealer
            .seal(
                &material.private_pkcs8_der,
                &aad(tx.tenant_id(), &material.kid),
            )
            .map_err(|e| Error::Internal(anyhow::anyhow!("sealing a signing key: {e}")))?;
        signing_key::Entity::insert(signing_key::ActiveModel {
            kid: Set(material.kid.clone()),
            private_sealed: Set(sealed),
            public_key: Set(URL_SAFE_NO_PAD.encode(material.public_key)),
            status: Set(CURRENT.into()),
            created_at: Set(Utc::now()),
            retired_at: Set(None),
        })
        .exec(&**tx)
        .await?;
        Ok(material.kid)
    }

    /// Makes a new current key; the old current becomes previous (still verifies) and the old
    /// previous is retired. Returns the new kid.
    pub async fn rotate(&self, scope: &TenantScope) -> Result<String> {
        let tx = scope.begin().await?;
        tx.lock("signing-keys").await?;
        signing_key::Entity::update_many()
            .col_expr(signing_key::Column::Status, Expr::value(RETIRED))
            .col_expr(
                signing_key::Column::RetiredAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(signing_key::Column::Status.eq(PREVIOUS))
            .exec(&*tx)
            .await?;
        signing_key::Entity::update_many()
            .col_expr(signing_key::Column::Status, Expr::value(PREVIOUS))
            .filter(signing_key::Column::Status.eq(CURRENT))
            .exec(&*tx)
            .await?;
        let kid = self.insert_new(&tx).await?;
        tx.invalidate(Change::Keys {
            tenant: scope.tenant_id(),
        });
        tx.commit().await?;
        Ok(kid)
    }

    /// Forgets tenant `tenant_id`'s keys in this process. A retired key's tokens must stop at
    /// once, so every cached verification goes too.
    pub async fn forget_local(&self, tenant_id: Uuid) {
        self.cache.invalidate(&tenant_id).await;
        self.verified.invalidate_all();
    }

    /// Forgets every tenant's keys and verifications in this process.
    pub fn forget_all_local(&self) {
        self.cache.invalidate_all();
        self.verified.invalidate_all();
    }

    /// Checks that the current and previous keys in `rows` (tenant `tenant_id`'s, from a
    /// backup being restored) open under this platform's master key.
    pub fn check_sealed(&self, tenant_id: Uuid, rows: &[signing_key::Model]) -> Result<()> {
        let usable: Vec<_> = rows
            .iter()
            .filter(|r| r.status == CURRENT || r.status == PREVIOUS)
            .collect();
        if !usable.iter().any(|r| r.status == CURRENT) {
            return Err(Error::Internal(anyhow::anyhow!("no current signing key")));
        }
        for r in usable {
            self.sealer
                .open(&r.private_sealed, &aad(tenant_id, &r.kid))
                .map_err(|e| Error::Internal(anyhow::anyhow!("unsealing key {}: {e}", r.kid)))?;
        }
        Ok(())
    }

    /// The tenant's keys, from the cache or the database (creating the first key if needed).
    pub async fn for_tenant(&self, scope: &TenantScope) -> Result<Arc<TenantKeys>> {
        let this = self.clone();
        let scope2 = scope.clone();
        self.cache
            .try_get_with(scope.tenant_id(), async move {
                this.load(&scope2).await.map(Arc::new)
            })
            .await
            .map_err(|e: Arc<Error>| match &*e {
                Error::Unavailable(_) => Error::Unavailable(anyhow::anyhow!("{e}")),
                _ => Error::Internal(anyhow::anyhow!("loading signing keys: {e:?}")),
            })
    }

    async fn load(&self, scope: &TenantScope) -> Result<TenantKeys> {
        let tx = scope.begin().await?;
        let mut rows = self.usable(&tx).await?;
        if !rows.iter().any(|r| r.status == CURRENT) {
            self.ensure(&tx).await?;
            rows = self.usable(&tx).await?;
        }
        tx.commit().await?;
        let current = rows
            .iter()
            .find(|r| r.status == CURRENT)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("no current signing key")))?;
        let der = self
            .sealer
            .open(
                &current.private_sealed,
                &aad(scope.tenant_id(), &current.kid),
            )
            .map_err(|e| Error::Internal(anyhow::anyhow!("unsealing the signing key: {e}")))?;
        let mut public = Vec::new();
        for r in &rows {
            let bytes = URL_SAFE_NO_PAD
                .decode(&r.public_key)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| {
                    Error::Internal(anyhow::anyhow!("malformed public key {}", r.kid))
                })?;
            public.push((r.kid.clone(), bytes));
        }
        let material = SigningKeyMaterial::from_pkcs8_der(current.kid.clone(), &der)
            .map_err(|e| Error::Internal(anyhow::anyhow!("signing key: {e}")))?;
        let signer = Signer::new(&material)
            .map_err(|e| Error::Internal(anyhow::anyhow!("signing key: {e}")))?;
        Ok(TenantKeys {
            kid: current.kid.clone(),
            signer,
            verifier: Verifier::new(&public)
                .map_err(|e| Error::Internal(anyhow::anyhow!("verifying keys: {e}")))?,
            jwks: public
                .iter()
                .map(|(kid, p)| Jwk::from_public(kid, p))
                .collect(),
        })
    }

    async fn usable(&self, tx: &TenantTx) -> Result<Vec<signing_key::Model>> {
        Ok(signing_key::Entity::find()
            .filter(signing_key::Column::Status.is_in([CURRENT, PREVIOUS]))
            .all(&**tx)
            .await?)
    }
}
