//! Cross-origin requests, per tenant: a browser app on an origin listed in the tenant's
//! `cors_allowed_origins` setting may call the tenant's paths (with credentials, for cookie
//! mode); other origins get no CORS headers, and their preflights `403 origin_not_allowed`.

use super::problem::Problem;
pub use crate::settings::cors::CorsOrigins;
use poem::{
    Response,
    http::{HeaderValue, Method, StatusCode, header},
};

/// Request headers a browser app may send.
const ALLOW_HEADERS: &str = "authorization, content-type, x-csrf-token, x-request-id";
/// Response headers a browser app may read.
const EXPOSE_HEADERS: &str = "x-request-id, retry-after, www-authenticate";
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// How long a browser may reuse a preflight's answer.
const MAX_AGE_SECS: &str = "600";

/// Whether the request is a CORS preflight.
pub fn is_preflight(method: &Method, headers: &poem::http::HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a preflight from `origin`.
pub fn preflight(origin: &str, allowed: bool) -> Response {
    if !allowed {
        let mut resp = Problem::new(
            StatusCode::FORBIDDEN,
            crate::error::ErrorCode::OriginNotAllowed,
            Some("this origin is not in the tenant's cors_allowed_origins".into()),
        )
        .into_response();
        vary(&mut resp);
        return resp;
    }
    let mut resp = Response::builder().status(StatusCode::NO_CONTENT).finish();
    allow(&mut resp, origin);
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    resp
}

/// Marks a response to `origin`: readable by it when `allowed`, and never cached across origins.
pub fn decorate(resp: &mut Response, origin: &str, allowed: bool) {
    if allowed {
        allow(resp, origin);
        resp.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    vary(resp);
}

fn allow(resp: &mut Response, origin: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    vary(resp);
}

fn vary(resp: &mut Response) {
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
}
