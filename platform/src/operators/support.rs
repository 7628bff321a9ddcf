//! What an operator's action on a tenant needs: the tenant (active or suspended), the operator
//! as the actor of the tenant's domain functions (so the tenant's own log names them), and the
//! matching entry in the operators' log.

use std::sync::Arc;

use super::{
    audit::{self, Entry},
    auth::OperatorCaller,
};
use crate::{
    app::AppState,
    audit::RequestMeta,
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

/// Records an action on `on` in the operators' log.
pub async fn logged(
    state: &AppState,
    meta: &RequestMeta,
    caller: &OperatorCaller,
    on: &OnTenant,
    action: &'static str,
    target: Option<(&'static str, String)>,
    reason: Option<&str>,
) -> Result<()> {
    let mut entry = Entry::new(Some(caller.id), action)
        .tenant(on.tenant.id)
        .reason(reason);
    if let Some((kind, id)) = target {
        entry = entry.target(kind, id);
    }
    audit::record(state, meta, entry).await
}
