//! The middleware every request passes through: request id, body size bound, problem+json for
//! every error (with `Allow` on a 405), security headers, one log line and the request metrics.

use std::{sync::Arc, time::Instant};

use poem::{
    Body, Endpoint, IntoResponse, Middleware, Request, Response,
    http::{HeaderValue, StatusCode, header},
};

use super::{
    allow::AllowedMethods,
    field_errors::{BodySchemas, Received, explain},
    problem::{Problem, REQUEST_ID, problem_from_poem_error},
};
use crate::telemetry::metrics::Metrics;

/// The header carrying the request id, in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Applies the per-request policy around an endpoint.
pub struct RequestContext {
    pub max_body_bytes: usize,
    pub metrics: Metrics,
    /// The methods of each path, for the `Allow` header of a 405.
    pub allow: Arc<AllowedMethods>,
    /// The operations' body schemas, to name the fields of a refused body.
    pub schemas: Arc<BodySchemas>,
}

impl<E: Endpoint> Middleware<E> for RequestContext {
    type Output = RequestContextEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestContextEndpoint {
            inner: ep,
            max_body_bytes: self.max_body_bytes,
            metrics: self.metrics.clone(),
            allow: self.allow.clone(),
            schemas: self.schemas.clone(),
        }
    }
}

/// See [`RequestContext`].
pub struct RequestContextEndpoint<E> {
    inner: E,
    max_body_bytes: usize,
    metrics: Metrics,
    allow: Arc<AllowedMethods>,
    schemas: Arc<BodySchemas>,
}

/// A client-supplied id is kept only when it is short and plain; otherwise a new one is made.
fn request_id_from(req: &Request) -> Arc<str> {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(Arc::from)
        .unwrap_or_else(|| Arc::from(uuid::Uuid::now_v7().to_string()))
}

impl<E: Endpoint> Endpoint for RequestContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        let request_id = request_id_from(&req);
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let max = self.max_body_bytes;
        let inner = &self.inner;
        let schemas = &self.schemas;
        let (asked, at) = (method.as_str(), path.as_str());
        let mut resp = REQUEST_ID
            .scope(request_id.clone(), async move {
                let mut req = match bound_body(req, max).await {
                    Ok(req) => req,
                    Err(resp) => return resp,
                };
                let received = match keep_json_body(&mut req, schemas, max).await {
                    Ok(r) => r,
                    Err(resp) => return resp,
                };
                match inner.call(req).await {
                    Ok(out) => out.into_response(),
                    Err(err) => {
                        let errors = explain(&err, asked, at, received.as_ref());
                        problem_from_poem_error(err, errors)
                    }
                }
            })
            .await;
        let method_not_allowed = resp.status() == StatusCode::METHOD_NOT_ALLOWED;
        let headers = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID_HEADER, v);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        if !path.starts_with("/docs") && !path.starts_with("/reference") {
            // An API answer is never a page: nothing in it may load or frame anything.
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            );
        }
        if method_not_allowed
            && !headers.contains_key(header::ALLOW)
            && let Some(v) = self
                .allow
                .for_path(&path)
                .and_then(|m| HeaderValue::from_str(m).ok())
        {
            headers.insert(header::ALLOW, v);
        }
        if path.starts_with("/v1/") && !headers.contains_key(header::CACHE_CONTROL) {
            // Tokens and account data must never sit in a shared or browser cache; only an
            // answer that says otherwise itself (the public keys) may.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        let operation = resp
            .extensions()
            .get::<poem_openapi::OperationId>()
            .map(|op| op.0)
            .unwrap_or("none");
        let elapsed = started.elapsed();
        self.metrics
            .observe_request(operation, resp.status().as_u16(), elapsed);
        tracing::info!(
            request_id = %request_id,
            method = %method,
            path = %path,
            operation,
            status = resp.status().as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
        Ok(resp)
    }
}

/// Reads a JSON body whole (it is parsed whole anyway) and keeps it, beside the request, so that
/// a refusal can name the fields at fault; requests without one pass untouched.
async fn keep_json_body(
    req: &mut Request,
    schemas: &Arc<BodySchemas>,
    max: usize,
) -> Result<Option<Received>, Response> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json {
        return Ok(None);
    }
    let body = read_whole(req.take_body(), max).await?;
    req.set_body(Body::from(body.clone()));
    let received = Received {
        schemas: schemas.clone(),
        body,
    };
    req.extensions_mut().insert(received.clone());
    Ok(Some(received))
}

/// Refuses bodies over `max` bytes, whether announced by `Content-Length` or streamed.
async fn bound_body(mut req: Request, max: usize) -> Result<Request, Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > max as u64 => Err(too_large(max)),
        Some(_) => Ok(req),
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let bytes = read_whole(req.take_body(), max).await?;
            req.set_body(Body::from(bytes));
            Ok(req)
        }
        None => Ok(req),
    }
}

/// `body` read into memory, refused past `max` bytes.
async fn read_whole(body: Body, max: usize) -> Result<bytes::Bytes, Response> {
    body.into_bytes_limit(max).await.map_err(|e| match e {
        poem::error::ReadBodyError::PayloadTooLarge => too_large(max),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            crate::error::ErrorCode::InvalidRequest,
            Some("the request body could not be read".into()),
        )
        .into_response(),
    })
}

/// The answer to a body over `max` bytes.
fn too_large(max: usize) -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        crate::error::ErrorCode::PayloadTooLarge,
        Some(format!("request bodies are limited to {max} bytes")),
    )
    .into_response()
}
