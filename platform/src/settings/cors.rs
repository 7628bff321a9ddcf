//! Each tenant's allowed CORS origins (its `cors_allowed_origins` setting), cached for the
//! request path; a settings change drops them on every instance when it commits.

use std::{sync::Arc, time::Duration};

use moka::future::Cache;
use uuid::Uuid;

use super::TenantSettings;
use crate::{error::Result, store::TenantScope};

/// Each tenant's allowed origins, cached; cheap to clone.
#[derive(Clone, Debug)]
pub struct CorsOrigins {
    cache: Cache<Uuid, Arc<Vec<String>>>,
}

impl Default for CorsOrigins {
    fn default() -> Self {
        Self::new()
    }
}

impl CorsOrigins {
    /// An empty cache; entries live a minute at most (settings changes drop them at once, on
    /// every instance).
    pub fn new() -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
        }
    }

    /// Whether `origin` may call `scope`'s tenant.
    pub async fn allowed(&self, scope: &TenantScope, origin: &str) -> Result<bool> {
        let origins = match self.cache.get(&scope.tenant_id()).await {
            Some(o) => o,
            None => {
                let tx = scope.read().await?;
                let settings = TenantSettings::load(&tx).await?;
                tx.commit().await?;
                let o = Arc::new(settings.cors_allowed_origins);
                self.cache.insert(scope.tenant_id(), o.clone()).await;
                o
            }
        };
        Ok(origins.iter().any(|o| o == origin))
    }

    /// Forgets a tenant's origins (its settings changed).
    pub async fn forget_local(&self, tenant: Uuid) {
        self.cache.invalidate(&tenant).await;
    }

    /// Forgets every tenant's origins.
    pub fn forget_all(&self) {
        self.cache.invalidate_all();
    }
}
