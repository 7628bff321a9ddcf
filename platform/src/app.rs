//! The application's shared state, built once from the configuration.

use std::{sync::Arc, time::Duration};

use crate::{
    accounts::Accounts,
    config::Config,
    crypto::{codes::CodeHasher, passwords::PasswordHasher, sealing::Sealer},
    domain::TenantSlug,
    error::Result,
    mail::Mailer,
    masterkey::MasterKey,
    ratelimit::RateLimiter,
    sessions::Sessions,
    signin::Signin,
    store::{Change, LocalCaches, Store},
    telemetry::metrics::Metrics,
    tenants::{Tenant, Tenants},
    throttle::Throttle,
    tokens::Keys,
};

/// Everything a request handler or command needs: one shared allocation, so cloning it (poem
/// hands every request its own copy) is one reference count, whatever it holds.
#[derive(Clone)]
pub struct AppState(Arc<Handles>);

impl std::ops::Deref for AppState {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Handles {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenants: Tenants,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub master_key: MasterKey,
    /// What the public auth flows use, as one handle (its throttle is the process's).
    pub accounts: Accounts,
    /// Cookie mode's CSRF key and cookie attributes.
    pub cookies: crate::accounts::cookie::Cookies,
    pub keys: Keys,
    /// Sessions' liveness, checked on every authenticated request.
    pub sessions: Sessions,
    /// Users as `/me` shows them, by id: 30 s at most, dropped in-process by every write that
    /// changes what the view shows (verification, name, deletion).
    pub users: crate::users::UsersCache,
    /// Each tenant's allowed CORS origins.
    pub cors: crate::settings::cors::CorsOrigins,
    /// The operators' customer searches running now (see [`crate::operators::search`]).
    pub searches: Arc<crate::operators::search::Searches>,
    /// Operators' accounts and sign-in.
    pub console: crate::operators::Operators,
    /// Tenants' provisioning, renaming, suspension and deletion.
    pub lifecycle: crate::operators::lifecycle::Lifecycle,
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
    throttle: Throttle,
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
        self.throttle.forget_all();
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
                self.throttle.forget(*tenant).await;
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
            throttle: Throttle::new(Arc::new(RateLimiter::with_policies(&[(
                crate::ratelimit::Bucket::PasswordCheckIp,
                crate::ratelimit::Policy {
                    per_minute: config.password_checks_per_ip_per_minute,
                    burst: config.password_checks_per_ip_burst,
                },
            )]))),
            cors: crate::settings::cors::CorsOrigins::new(),
            operators: crate::operators::auth::OperatorState::new(),
        });
        store.register_caches(&(caches.clone() as Arc<dyn LocalCaches>));
        let hasher = PasswordHasher::new(cores, config.hash_queue);
        let code_hasher = Arc::new(CodeHasher::new(master_key.bytes()));
        let accounts = Accounts {
            mailer: mailer.clone(),
            hasher: hasher.clone(),
            code_hasher: code_hasher.clone(),
            sealer: sealer.clone(),
            throttle: caches.throttle.clone(),
            signin: Signin::new(caches.keys.clone(), &config.public_url(), mailer.clone()),
        };
        let cookies =
            crate::accounts::cookie::Cookies::new(master_key.bytes(), &config.public_url());
        Ok(Self(Arc::new(Handles {
            cookies,
            accounts,
            keys: caches.keys.clone(),
            sessions: caches.sessions.clone(),
            users: caches.users.clone(),
            cors: caches.cors.clone(),
            searches: crate::operators::search::registry(
                tenants.clone(),
                store.backend(),
                config.pg_max_connections,
            ),
            console: crate::operators::Operators {
                store: store.clone(),
                hasher: hasher.clone(),
                sealer: sealer.clone(),
                throttle: caches.throttle.clone(),
                cache: caches.operators.clone(),
                public_url: config.public_url().into(),
            },
            lifecycle: crate::operators::lifecycle::Lifecycle::new(
                tenants.clone(),
                caches.keys.clone(),
                mailer.clone(),
                store.clone(),
            ),
            config: Arc::new(config),
            store,
            tenants,
            mailer,
            metrics: Metrics::new()?,
            master_key,
            caches,
        })))
    }

    /// The handle that exports and imports tenants.
    pub fn backups(&self) -> crate::backup::Backups {
        crate::backup::Backups {
            tenants: self.tenants.clone(),
            store: self.store.clone(),
            keys: self.keys.clone(),
            master_key: self.master_key.clone(),
            database_url: self.config.database_url.clone(),
        }
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

    /// Provisions a tenant (see [`crate::operators::lifecycle::Lifecycle::provision`]).
    pub async fn provision_tenant(&self, slug: &TenantSlug, name: Option<&str>) -> Result<Tenant> {
        self.lifecycle.provision(slug, name).await
    }
}
