//! The one place where errors become HTTP: `application/problem+json` (RFC 9457) bodies.
//!
//! Domain errors ([`crate::error::Error`]) become an [`ApiError`] in handlers; every other error
//! (poem's 404/405/413, body and parameter parse failures) is converted by
//! [`problem_from_poem_error`] in the request middleware. Internal text never reaches a client.

use poem::{Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::error::{Error, ErrorCode};

tokio::task_local! {
    /// The id of the request being served, set by the request middleware.
    pub static REQUEST_ID: std::sync::Arc<str>;
}

/// The current request's id, or an empty string outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(|id| id.to_string()).unwrap_or_default()
}

/// An RFC 9457 problem document, with the platform's stable `code` and the request's id.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:platform:problem:<code>`.
    #[oai(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem (the HTTP reason phrase).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, safe to show to a user.
    pub detail: Option<String>,
    // Described by the `ErrorCode` schema (a field doc comment would wrap the reference in an
    // `allOf`, which some client generators turn into an anonymous type).
    pub code: ErrorCode,
    /// The id of the request, also sent as the `X-Request-Id` header.
    pub request_id: String,
    /// On a `400`, each input that was refused and why (an RFC 9457 extension member).
    pub errors: Option<Vec<FieldError>>,
}

/// One refused input of a request.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Where: a JSON pointer into the request body (`/password`, `""` for the whole body), or
    /// the name of a query or path parameter (`limit`).
    pub field: String,
    /// What kind of failure, stable for programs: `required`, `type`, `too_long`, `too_short`,
    /// `too_many`, `too_few`, `out_of_range`, `not_allowed`, `pattern`, `format`,
    /// `unknown_field`, `invalid_json` or `invalid`.
    pub code: String,
    /// The same in words, safe to show a user (the value sent is never quoted).
    pub message: String,
}

impl FieldError {
    /// An entry for `field`.
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl Problem {
    /// A problem for `status` with `code` and an optional client-safe detail.
    pub fn new(status: StatusCode, code: ErrorCode, detail: Option<String>) -> Self {
        Self {
            type_: format!("urn:platform:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code,
            request_id: current_request_id(),
            errors: None,
        }
    }

    /// The same problem, listing the refused inputs (none: unchanged).
    #[must_use]
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        if !errors.is_empty() {
            self.errors = Some(errors);
        }
        self
    }

    /// The problem as a response with the right status and content type.
    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({
            "type": self.type_,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code.as_str(),
            "request_id": self.request_id,
        });
        let mut body = body;
        if let Some(map) = body.as_object_mut() {
            if self.detail.is_none() {
                map.remove("detail");
            }
            if let Some(errors) = &self.errors {
                let list = errors.iter().map(
                    |e| serde_json::json!({"field": e.field, "code": e.code, "message": e.message}),
                );
                map.insert("errors".into(), list.collect());
            }
        }
        Response::builder()
            .status(status)
            .content_type("application/problem+json")
            .body(body.to_string())
    }
}

/// The error responses of the platform's operations, each an `application/problem+json` body.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is malformed or breaks a rule (`invalid_request`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Not authenticated, or wrong credentials (`unauthorized`, `invalid_credentials`,
    /// `invalid_refresh_token`). The reason a token was refused is never given.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(
        Json<Problem>,
        /// `Bearer`, with the error when a token was presented.
        #[oai(header = "WWW-Authenticate")]
        String,
    ),
    /// The tenant is suspended (`tenant_suspended`) or the caller lacks a permission.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such resource (`not_found`, `tenant_not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The resource exists already.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The request body is larger than the server accepts (`payload_too_large`).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The request body is not sent as `application/json`, or has no `Content-Type`
    /// (`unsupported_media_type`); only operations that take a body answer it.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Too many attempts (`rate_limited`); retry after `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(
        Json<Problem>,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u64,
    ),
    /// An unexpected failure (`internal_error`); the request id helps support find it.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency is unavailable (`service_unavailable`); retry later.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = match &e {
            Error::Internal(inner) => {
                tracing::error!(error = format!("{inner:#}"), "internal error");
                None
            }
            Error::Unavailable(inner) => {
                tracing::warn!(error = format!("{inner:#}"), "dependency unavailable");
                Some(e.to_string())
            }
            other => Some(other.to_string()),
        };
        let retry_after = match &e {
            Error::RateLimited { retry_after_secs } => *retry_after_secs,
            _ => 1,
        };
        let errors = match &e {
            Error::Invalid { field, message } => vec![match field {
                crate::error::Field::Body(name) => {
                    FieldError::new(format!("/{name}"), "invalid", message.clone())
                }
                crate::error::Field::Param(name) => {
                    FieldError::new(*name, "invalid", message.clone())
                }
            }],
            _ => Vec::new(),
        };
        let problem = Json(Problem::new(status, e.code(), detail).with_errors(errors));
        match status.as_u16() {
            401 => Self::Unauthorized(problem, www_authenticate(e.code())),
            429 => Self::TooManyRequests(problem, retry_after),
            400 => Self::BadRequest(problem),
            403 => Self::Forbidden(problem),
            404 => Self::NotFound(problem),
            409 => Self::Conflict(problem),
            413 => Self::PayloadTooLarge(problem),
            415 => Self::UnsupportedMediaType(problem),
            503 => Self::Unavailable(problem),
            _ => Self::Internal(problem),
        }
    }
}

/// The `WWW-Authenticate` value for a 401 with `code`.
pub fn www_authenticate(code: ErrorCode) -> String {
    if code == ErrorCode::Unauthorized {
        "Bearer error=\"invalid_token\"".into()
    } else {
        "Bearer".into()
    }
}

/// `msg` cut to at most `max` bytes, at a character boundary (parse errors quote the client's
/// input, which may be any UTF-8).
fn shortened(mut msg: String, max: usize) -> String {
    if msg.len() > max {
        let end = (0..=max)
            .rev()
            .find(|&i| msg.is_char_boundary(i))
            .unwrap_or(0);
        msg.truncate(end);
    }
    msg
}

/// Converts any error poem or poem-openapi raised (routing, parsing, limits) into a problem;
/// `errors` names the refused inputs, when the caller could tell (see [`super::field_errors`]).
pub fn problem_from_poem_error(err: poem::Error, errors: Vec<FieldError>) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let code = match status.as_u16() {
        400 | 422 => ErrorCode::InvalidRequest,
        401 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        411 => ErrorCode::LengthRequired,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        s if s >= 500 => ErrorCode::InternalError,
        _ => ErrorCode::RequestError,
    };
    let detail = if status.is_server_error() {
        tracing::error!(error = %err, "unhandled server error");
        None
    } else {
        // poem's messages for client errors describe the request (e.g. which parameter failed to
        // parse), never internal state; keep them short.
        Some(shortened(err.to_string(), 300))
    };
    let detail = match errors.as_slice() {
        [] => detail,
        [one] if one.field.is_empty() => Some(format!("the request body: {}", one.message)),
        [one, ..] => Some(format!(
            "the request is not valid ({} problem{}): {} {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            one.field,
            one.message
        )),
    };
    let mut resp = Problem::new(status, code, detail)
        .with_errors(errors)
        .into_response();
    if status == StatusCode::UNAUTHORIZED
        && let Ok(v) = poem::http::HeaderValue::from_str(&www_authenticate(code))
    {
        resp.headers_mut()
            .insert(poem::http::header::WWW_AUTHENTICATE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_hide_their_text() {
        let resp = REQUEST_ID
            .scope("req-1".into(), async {
                let e: ApiError =
                    Error::Internal(anyhow::anyhow!("password=hunter2 in table x")).into();
                poem::IntoResponse::into_response(e)
            })
            .await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = resp.into_body().into_string().await.expect("body");
        assert!(!body.contains("hunter2"), "{body}");
        assert!(body.contains("\"request_id\":\"req-1\""), "{body}");
        assert!(body.contains("internal_error"), "{body}");
    }

    #[test]
    fn long_details_are_cut_between_characters() {
        let msg = format!("{}é tail", "x".repeat(299));
        assert_eq!(shortened(msg, 300), "x".repeat(299));
        assert_eq!(shortened("short".into(), 300), "short");
    }

    #[tokio::test]
    async fn poem_errors_become_problems() {
        let resp = problem_from_poem_error(
            poem::Error::from_status(StatusCode::METHOD_NOT_ALLOWED),
            Vec::new(),
        );
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            resp.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }
}
