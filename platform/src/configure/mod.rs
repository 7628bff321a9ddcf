//! Changing a tenant's settings (`PATCH /settings`, and the operators' tenant update): a change
//! is checked as a whole ([`validate`]) and applied in one transaction ([`update`]), with its
//! audit event, its domain event and the invalidation of every cache that holds settings.

pub mod update;
pub mod validate;

use std::sync::Arc;

use crate::{
    authz::{Granted, SettingsRead},
    error::Result,
    settings::TenantSettings,
};

/// `GET /settings`: the tenant's settings, to whoever may read them.
pub async fn get(granted: &Granted<SettingsRead>) -> Result<Arc<TenantSettings>> {
    granted.ctx().settings().await
}
