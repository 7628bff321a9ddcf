//! Resolves `{tenant}` in `/v1/tenants/{tenant}/…` before routing: unknown tenants are 404
//! `tenant_not_found`, suspended ones 403 `tenant_suspended` on every path; otherwise the
//! request carries the tenant's [`crate::store::TenantScope`] for the handlers.

use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use super::problem::ApiError;
use crate::tenants::Tenants;

/// The path prefix under which every route belongs to one tenant.
pub const TENANT_PREFIX: &str = "/v1/tenants/";

/// Middleware that resolves the tenant of tenant paths.
pub struct TenantContext {
    pub tenants: Tenants,
}

impl<E: Endpoint> Middleware<E> for TenantContext {
    type Output = TenantContextEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        TenantContextEndpoint {
            inner: ep,
            tenants: self.tenants.clone(),
        }
    }
}

/// See [`TenantContext`].
pub struct TenantContextEndpoint<E> {
    inner: E,
    tenants: Tenants,
}

impl<E: Endpoint> Endpoint for TenantContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        if let Some(rest) = req.uri().path().strip_prefix(TENANT_PREFIX) {
            let key = rest.split('/').next().unwrap_or_default().to_owned();
            match self.tenants.resolve(&key).await {
                Ok(scope) => {
                    req.extensions_mut().insert(scope);
                }
                Err(e) => return Ok(ApiError::from(e).into_response()),
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
