//! Resolves `{tenant}` in `/v1/tenants/{tenant}/…` before routing: unknown tenants are 404
//! `tenant_not_found`, suspended ones 403 `tenant_suspended` on every path; otherwise the
//! request carries the tenant's [`crate::store::TenantScope`] and [`crate::tenants::Tenant`], from
//! which the handlers' [`crate::context::OpContext`] is built. A request with
//! an `Origin` gets the tenant's CORS answer (see [`super::cors`]).

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, http::header};

use super::{
    cors::{self, CorsOrigins},
    field_errors::{Received, explain},
    problem::{ApiError, problem_from_poem_error},
};
use crate::tenants::Tenants;

/// The path prefix under which every route belongs to one tenant.
pub const TENANT_PREFIX: &str = "/v1/tenants/";

/// Middleware that resolves the tenant of tenant paths.
pub struct TenantContext {
    pub tenants: Tenants,
    pub cors: CorsOrigins,
}

impl<E: Endpoint> Middleware<E> for TenantContext {
    type Output = TenantContextEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        TenantContextEndpoint {
            inner: ep,
            tenants: self.tenants.clone(),
            cors: self.cors.clone(),
        }
    }
}

/// See [`TenantContext`].
pub struct TenantContextEndpoint<E> {
    inner: E,
    tenants: Tenants,
    cors: CorsOrigins,
}

impl<E: Endpoint> Endpoint for TenantContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        if let Some(rest) = req.uri().path().strip_prefix(TENANT_PREFIX) {
            let key = rest.split('/').next().unwrap_or_default().to_owned();
            let (scope, tenant) = match self.tenants.resolve_tenant(&key).await {
                Ok(resolved) => resolved,
                Err(e) => return Ok(ApiError::from(e).into_response()),
            };
            let origin = req
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            req.extensions_mut().insert(scope.clone());
            req.extensions_mut().insert(tenant);
            if let Some(origin) = origin {
                let allowed = match self.cors.allowed(&scope, &origin).await {
                    Ok(a) => a,
                    Err(e) => return Ok(ApiError::from(e).into_response()),
                };
                if cors::is_preflight(req.method(), req.headers()) {
                    return Ok(cors::preflight(&origin, allowed));
                }
                // What a refusal is explained from (the request itself is handed on).
                let refused = req
                    .extensions()
                    .get::<Received>()
                    .cloned()
                    .map(|r| (r, req.method().clone(), req.uri().path().to_owned()));
                let mut resp = match self.inner.call(req).await {
                    Ok(out) => out.into_response(),
                    Err(err) => {
                        let errors = match &refused {
                            Some((r, method, path)) => {
                                explain(&err, method.as_str(), path, Some(r))
                            }
                            None => explain(&err, "", "", None),
                        };
                        problem_from_poem_error(err, errors)
                    }
                };
                cors::decorate(&mut resp, &origin, allowed);
                return Ok(resp);
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
