//! The application's shared state, built once from the configuration.

use std::sync::Arc;

use crate::{
    config::Config, http::metrics::Metrics, mail::Mailer, masterkey::MasterKey, store::Store,
    tenants::Tenants,
};

/// Everything a request handler or command needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tenants: Tenants,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub master_key: MasterKey,
}

impl AppState {
    /// Opens the store (migrating the control plane), loads the master key and the templates.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let master_key = MasterKey::load_or_create(&config)?;
        let store = Store::open(&config).await?;
        let tenants = Tenants::new(store.clone());
        let mailer = Mailer::new(&config)?;
        Ok(Self {
            config: Arc::new(config),
            store,
            tenants,
            mailer,
            metrics: Metrics::new()?,
            master_key,
        })
    }
}
