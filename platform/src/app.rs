//! The application's shared state, built once from the configuration.

use std::{sync::Arc, time::Duration};

use crate::{
    config::Config,
    crypto::{codes::CodeHasher, passwords::PasswordHasher, sealing::Sealer},
    domain::TenantSlug,
    error::{Error, Result},
    mail::Mailer,
    masterkey::MasterKey,
    ratelimit::RateLimiter,
    sessions::Sessions,
    store::{Change, LocalCaches, Store},
    telemetry::metrics::Metrics,
    tenants::{Tenant, Tenants},
    tokens::Keys,
};

/// A tenant's throttling overrides and the limiter built from them.
pub type TenantLimiter = (
    Vec<(crate::ratelimit::Bucket, crate::ratelimit::Policy)>,
    Arc<RateLimiter>,
);

/// Everything a request handler or command needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenants: Tenants,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub master_key: MasterKey,
    pub hasher: PasswordHasher,
    pub code_hasher: Arc<CodeHasher>,
    /// Seals secrets at rest (signing keys, TOTP secrets) under the master key.
    pub sealer: Arc<Sealer>,
    pub limiter: Arc<RateLimiter>,
    /// Tenants whose settings override throttling: their overrides and their own limiter.
    pub tenant_limiters: moka::future::Cache<uuid::Uuid, TenantLimiter>,
    /// Tenants whose throttling settings were read in the last minute.
    pub limits_checked: moka::future::Cache<uuid::Uuid, ()>,
    /// Throttle cells given back by checks that succeeded (see [`crate::accounts::throttle`]).
    pub credits: crate::accounts::throttle::Credits,
    pub keys: Keys,
    pub sessions: Sessions,
    /// The platform key and operator session liveness.
    pub operators: crate::operators::auth::OperatorState,
    /// Users as `/me` shows them, by id: 30 s at most, dropped in-process by every write that
    /// changes what the view shows (verification, name, deletion).
    pub users: crate::users::UsersCache,
    /// Each tenant's allowed CORS origins.
    pub cors: crate::settings::cors::CorsOrigins,
    /// The operators' customer searches running now (see [`crate::operators::search`]).
    pub searches: Arc<crate::operators::search::Searches>,
    /// The same caches as one set, which the store drops on commit (it holds them weakly: this
    /// keeps them alive as long as the state).
    caches: Arc<Caches>,
}

/// The process's caches that a [`Change`] makes stale: committed changes of this instance
/// (through the store's unit of work) and of the others (through [`crate::cache_sync`]).
struct Caches {
    sessions: Sessions,
    users: crate::users::UsersCache,
    tenants: Tenants,
    keys: Keys,
    tenant_limiters: moka::future::Cache<uuid::Uuid, TenantLimiter>,
    limits_checked: moka::future::Cache<uuid::Uuid, ()>,
    cors: crate::settings::cors::CorsOrigins,
    operators: crate::operators::auth::OperatorState,
}

impl Caches {
    /// Drops everything: after notifications may have been missed.
    fn forget_all(&self) {
        self.sessions.forget_all_local();
        self.users.invalidate_all();
        self.tenants.forget_all_local();
        self.keys.forget_all_local();
        self.tenant_limiters.invalidate_all();
        self.limits_checked.invalidate_all();
        self.cors.forget_all();
        self.operators.forget_all_local();
    }

    async fn forget_change(&self, change: &Change) {
        match change {
            Change::Sessions { ids } => self.sessions.forget_local(ids).await,
            Change::User { id } => self.users.invalidate(id).await,
            Change::Tenant { id, slug } => self.tenants.forget_local(*id, slug).await,
            Change::Keys { tenant } => self.keys.forget_local(*tenant).await,
            Change::Settings { tenant } => {
                self.tenant_limiters.invalidate(tenant).await;
                self.limits_checked.invalidate(tenant).await;
                self.cors.forget_local(*tenant).await;
            }
            Change::OperatorSession { id } => self.operators.forget_local(*id).await,
        }
    }
}

impl LocalCaches for Caches {
    fn forget<'a>(&'a self, change: &'a Change) -> futures::future::BoxFuture<'a, ()> {
        Box::pin(self.forget_change(change))
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .finish()
    }
}

impl AppState {
    /// Opens the store (migrating the control plane), loads the master key and the templates.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let master_key = MasterKey::load_or_create(&config)?;
        let store = Store::open(&config).await?;
        let tenants = Tenants::new(store.clone());
        let mailer = Mailer::new(&config)?;
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let sealer = Arc::new(Sealer::new(master_key.bytes()));
        // The caches a committed change makes stale, here and (announced) on other instances.
        let caches = Arc::new(Caches {
            sessions: Sessions::new(),
            users: moka::future::Cache::builder()
                .max_capacity(1_000_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
            tenants: tenants.clone(),
            keys: Keys::new(sealer.clone()),
            tenant_limiters: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            limits_checked: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            cors: crate::settings::cors::CorsOrigins::new(),
            operators: crate::operators::auth::OperatorState::new(),
        });
        store.register_caches(&(caches.clone() as Arc<dyn LocalCaches>));
        Ok(Self {
            hasher: PasswordHasher::new(cores, config.hash_queue),
            code_hasher: Arc::new(CodeHasher::new(master_key.bytes())),
            limiter: Arc::new(RateLimiter::with_policies(&[(
                crate::ratelimit::Bucket::PasswordCheckIp,
                crate::ratelimit::Policy {
                    per_minute: config.password_checks_per_ip_per_minute,
                    burst: config.password_checks_per_ip_burst,
                },
            )])),
            tenant_limiters: caches.tenant_limiters.clone(),
            limits_checked: caches.limits_checked.clone(),
            credits: crate::accounts::throttle::new_credits(),
            keys: caches.keys.clone(),
            sealer,
            sessions: caches.sessions.clone(),
            operators: caches.operators.clone(),
            users: caches.users.clone(),
            cors: caches.cors.clone(),
            searches: crate::operators::search::registry(),
            config: Arc::new(config),
            store,
            tenants,
            mailer,
            metrics: Metrics::new()?,
            master_key,
            caches,
        })
    }

    /// Applies another instance's change to this process's caches.
    pub async fn apply_change(&self, change: Change) {
        self.caches.forget_change(&change).await;
    }

    /// Drops every cache that must agree with other instances: after notifications may have
    /// been missed (the listening connection was lost).
    pub fn forget_all_shared(&self) {
        self.caches.forget_all();
    }

    /// Provisions a tenant: its schema or file, its migrations and its first signing key.
    pub async fn provision_tenant(&self, slug: &TenantSlug, name: Option<&str>) -> Result<Tenant> {
        let tenant = self.tenants.create(slug, name).await?;
        let keys = async {
            let tx = self.tenants.scope(&tenant).begin().await?;
            self.keys.ensure(&tx).await?;
            tx.commit().await
        };
        if let Err(e) = keys.await {
            let _ = self.tenants.delete(&tenant.slug).await;
            return Err(match e {
                Error::Internal(inner) => {
                    Error::Internal(inner.context("creating the signing key"))
                }
                other => other,
            });
        }
        Ok(tenant)
    }
}
