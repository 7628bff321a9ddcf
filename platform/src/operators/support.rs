//! What an operator's action on a tenant needs: the tenant (active or suspended) and the
//! operator as the actor of the tenant's domain functions (so the tenant's own log names them;
//! the matching entry in the operators' log is written by the tenant's unit of work).

use std::sync::Arc;

use super::auth::OperatorCaller;
use crate::{
    app::AppState,
    authz::By,
    error::{Error, Result},
    settings::TenantSettings,
    store::TenantScope,
    tenants::{Tenant, TenantStatus},
};

/// A tenant an operator acts on.
#[derive(Debug, Clone)]
pub struct OnTenant {
    pub tenant: Arc<Tenant>,
    pub scope: TenantScope,
}

/// The tenant named `key` (slug or id): operators reach suspended tenants too, but not ones
/// still provisioning or being deleted.
pub async fn open(state: &AppState, key: &str) -> Result<OnTenant> {
    let tenant = state.tenants.get(key).await?;
    if !matches!(
        tenant.status,
        TenantStatus::Active | TenantStatus::Suspended
    ) {
        return Err(Error::TenantNotFound);
    }
    let scope = state.tenants.scope(&tenant);
    Ok(OnTenant { tenant, scope })
}

/// The operator as the actor of a tenant-domain action, with their reason.
pub async fn by(on: &OnTenant, caller: &OperatorCaller, reason: Option<String>) -> Result<By> {
    let tx = on.scope.read().await?;
    let settings = TenantSettings::load(&tx).await?;
    tx.commit().await?;
    Ok(By::operator(caller.id, settings, reason))
}
