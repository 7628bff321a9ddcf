//! What an operator's action on a tenant needs: the tenant (active or suspended) and an
//! operation context naming the operator as the actor, with their reason, so the tenant's own
//! log names them (the matching entry in the operators' log is written by the tenant's unit of
//! work).

use crate::authz::OperatorCaller;
use crate::{
    context::{Actor, OpContext, RequestMeta},
    error::{Error, Result},
    tenants::{TenantStatus, Tenants},
};

/// Operator `caller`'s context in the tenant named `key` (slug or id): operators reach
/// suspended tenants too, but not ones still provisioning or being deleted. Authorise with
/// [`crate::authz::grant_operator`].
pub async fn open(
    tenants: &Tenants,
    key: &str,
    caller: &OperatorCaller,
    meta: RequestMeta,
    reason: Option<String>,
) -> Result<OpContext> {
    let tenant = tenants.get(key).await?;
    if !matches!(
        tenant.status,
        TenantStatus::Active | TenantStatus::Suspended
    ) {
        return Err(Error::TenantNotFound);
    }
    let scope = tenants.scope(&tenant);
    Ok(OpContext::new(scope, tenant, Actor::Operator(caller.id), meta).because(reason))
}
