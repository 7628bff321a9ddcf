//! The HTTP surface: one thin `#[OpenApi]` struct per capability, the middleware, and the
//! routes for the spec, the docs and the metrics.

mod accounts;
mod admin_sessions;
mod admin_support;
mod admin_tenants;
mod allow;
mod audit;
pub mod auth;
mod client_ip;
pub mod cors;
mod field_errors;
mod health;
mod me;
mod members;
mod mfa;
mod operator_auth;
pub mod optional_body;
pub mod problem;
mod request_context;
mod settings;
pub mod slow_clients;
pub mod spec;
mod tenant_context;
pub mod text;
pub mod views;

use poem::{
    Endpoint, EndpointExt, Route, get, handler,
    web::{Data, WithContentType},
};
use poem_openapi::OpenApiService;

pub use request_context::REQUEST_ID_HEADER;

use crate::app::AppState;

/// The title of the OpenAPI document.
pub const API_TITLE: &str = "Multi-tenant authentication platform";

/// Every capability's `#[OpenApi]` struct.
type Apis = (
    health::HealthApi,
    accounts::AuthApi,
    me::MeApi,
    mfa::MfaApi,
    members::MembersApi,
    admin_sessions::AdminSessionsApi,
    audit::AuditApi,
    settings::SettingsApi,
    operator_auth::OperatorAuthApi,
    admin_tenants::AdminTenantsApi,
    admin_support::AdminSupportApi,
);

fn apis() -> Apis {
    (
        health::HealthApi,
        accounts::AuthApi,
        me::MeApi,
        mfa::MfaApi,
        members::MembersApi,
        admin_sessions::AdminSessionsApi,
        audit::AuditApi,
        settings::SettingsApi,
        operator_auth::OperatorAuthApi,
        admin_tenants::AdminTenantsApi,
        admin_support::AdminSupportApi,
    )
}

/// The OpenAPI service over every capability's API, without a server URL.
fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis(), API_TITLE, env!("CARGO_PKG_VERSION")).description(
        "Multi-tenant authentication: each tenant's data in its own schema or database file. \
         Every error is an `application/problem+json` body with a stable `code` and the \
         `request_id` also sent as `X-Request-Id`.",
    )
}

/// The OpenAPI service as served, naming `public_url` as its server.
pub fn api_service(public_url: &str) -> OpenApiService<Apis, ()> {
    service().server(public_url.to_owned())
}

/// The OpenAPI document as JSON (what `platform openapi` prints and `openapi/platform.json` holds),
/// naming the default `public_url` as its server.
pub fn spec_json() -> String {
    spec::finish(&service().spec(), spec::DEFAULT_SERVER)
}

/// Prometheus text format. The tenant count is read at scrape time: other processes (the CLI,
/// other instances) create and delete tenants too. With `metrics_token` set, the scrape must
/// carry it as a bearer token.
#[handler]
async fn metrics_handler(
    req: &poem::Request,
    state: Data<&AppState>,
) -> poem::Result<WithContentType<String>> {
    use poem::IntoResponse;
    if let Some(token) = &state.config.metrics_token {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        let sent = req
            .headers()
            .get(poem::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.expose_secret().trim();
        if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(poem::Error::from_response(
                problem::ApiError::from(crate::error::Error::unauthorized()).into_response(),
            ));
        }
    }
    match state.tenants.count().await {
        Ok(n) => state
            .metrics
            .set_tenants(usize::try_from(n).unwrap_or(usize::MAX)),
        Err(e) => tracing::warn!(error = %e, "counting tenants for /metrics"),
    }
    Ok(state
        .metrics
        .render()
        .with_content_type("text/plain; version=0.0.4"))
}

/// `/metrics` alone, for the `metrics_listen` address.
pub fn metrics_app(state: AppState) -> impl Endpoint {
    let metrics = state.metrics.clone();
    let max_body_bytes = state.config.max_body_bytes;
    let allow = allow::AllowedMethods::from_spec("{}", &[("/metrics", "GET")]);
    Route::new()
        .at("/metrics", get(metrics_handler))
        .data(state)
        .with(request_context::RequestContext {
            max_body_bytes,
            metrics,
            allow: std::sync::Arc::new(allow),
            schemas: std::sync::Arc::default(),
        })
}

/// The whole application: API, spec, docs and metrics, behind the request middleware.
pub fn app(state: AppState) -> impl Endpoint {
    let public_url = state.config.public_url();
    let api = api_service(&public_url);
    let docs = api.swagger_ui();
    let reference = api.redoc();
    let served = spec::finish(&api.spec(), &public_url);
    let metrics = state.metrics.clone();
    let max_body_bytes = state.config.max_body_bytes;
    let tenants = state.tenants.clone();
    let cors = state.cors.clone();
    // The document is made once: served as is, and read for the body schemas and the methods.
    let schemas = std::sync::Arc::new(field_errors::BodySchemas::from_spec(&served));
    // The routes served beside the API's own, for the `Allow` header of a 405.
    let allow = allow::AllowedMethods::from_spec(
        &served,
        &[
            ("/openapi.json", "GET"),
            ("/metrics", "GET"),
            ("/docs", "GET"),
            ("/reference", "GET"),
        ],
    );
    let mut routes = Route::new()
        .nest("/", api)
        .at(
            "/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                use poem::IntoResponse;
                served.clone().with_content_type("application/json")
            })),
        )
        .nest("/docs", docs)
        .nest("/reference", reference);
    // With an address of its own, /metrics is not served here.
    if state.config.metrics_listen.is_none() {
        routes = routes.at("/metrics", get(metrics_handler));
    }
    routes
        .with(tenant_context::TenantContext { tenants, cors })
        .data(state)
        .with(request_context::RequestContext {
            max_body_bytes,
            metrics,
            allow: std::sync::Arc::new(allow),
            schemas,
        })
}
