//! Names the fields a refused request got wrong. poem-openapi's parse errors say which type
//! failed, not which field, so a body it refused is checked again, with `jsonschema`, against the
//! schema its operation declares in the OpenAPI document; each failure becomes one `errors` entry
//! of the problem, with a JSON pointer into the body. Bodies that parse are never checked twice.

use std::sync::Arc;

use bytes::Bytes;
use jsonschema::{Draft, ValidationError, Validator, error::ValidationErrorKind};
use poem_openapi::error::{ParseParamError, ParsePathError, ParseRequestPayloadError};
use serde_json::{Value, json};

use super::{
    allow::{Segment, best_match, template},
    problem::FieldError,
};

/// At most this many entries are reported for one body.
const MAX_ERRORS: usize = 20;

/// The request-body schemas of a document's operations, compiled once at start-up.
#[derive(Default)]
pub struct BodySchemas {
    routes: Vec<(Vec<Segment>, Operations)>,
}

/// The body validators of one path, by method (`POST`, …).
type Operations = Vec<(String, Validator)>;

impl std::fmt::Debug for BodySchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodySchemas")
            .field("routes", &self.routes.len())
            .finish()
    }
}

impl BodySchemas {
    /// The JSON request bodies of the OpenAPI document `spec` (a document that does not parse
    /// gives none, and refused bodies are then reported without `errors`).
    pub fn from_spec(spec: &str) -> Self {
        let Ok(doc) = serde_json::from_str::<Value>(spec) else {
            return Self::default();
        };
        let components = doc
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut routes = Vec::new();
        for (path, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let mut ops = Vec::new();
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(schema) = op
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.iter().find(|(k, _)| k.starts_with("application/json")))
                    .and_then(|(_, media)| media.get("schema"))
                else {
                    continue;
                };
                // References (`#/components/schemas/…`) resolve against this root.
                let root = json!({
                    "components": { "schemas": components },
                    "allOf": [schema],
                });
                match jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .build(&root)
                {
                    Ok(v) => ops.push((method.to_ascii_uppercase(), v)),
                    Err(e) => tracing::warn!(path, method, error = %e, "request schema"),
                }
            }
            if !ops.is_empty() {
                routes.push((template(path), ops));
            }
        }
        Self { routes }
    }

    /// What is wrong with `body`, sent to `method` `path`, by the operation's schema; empty when
    /// the operation takes no JSON body or the schema finds nothing (the parser's own message
    /// then stands alone).
    pub fn errors(&self, method: &str, path: &str, body: &[u8]) -> Vec<FieldError> {
        let Some((_, ops)) = best_match(&self.routes, path) else {
            return Vec::new();
        };
        let Some((_, validator)) = ops.iter().find(|(m, _)| m == method) else {
            return Vec::new();
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return vec![FieldError::new("", "required", "a JSON body is required")];
        }
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return vec![FieldError::new(
                    "",
                    "invalid_json",
                    format!(
                        "the body is not valid JSON (line {}, column {})",
                        e.line(),
                        e.column()
                    ),
                )];
            }
        };
        let mut out = Vec::new();
        for e in validator.iter_errors(&value) {
            describe(&e, &mut out);
            if out.len() >= MAX_ERRORS {
                out.truncate(MAX_ERRORS);
                break;
            }
        }
        out
    }
}

/// A request as received, kept (in the request's extensions) so that its refusal can be
/// explained after the request itself was handed on.
#[derive(Clone, Debug)]
pub struct Received {
    pub schemas: Arc<BodySchemas>,
    /// The JSON body, read whole by the request middleware.
    pub body: Bytes,
}

/// The refused inputs behind `err` (to `method` `path`): the parameter a parse error names, or
/// what the schema finds wrong with a body the parser refused. Empty for every other error.
pub fn explain(
    err: &poem::Error,
    method: &str,
    path: &str,
    received: Option<&Received>,
) -> Vec<FieldError> {
    if let Some(p) = err.downcast_ref::<ParseParamError>() {
        return vec![FieldError::new(p.name, "invalid", short(&p.reason))];
    }
    if let Some(p) = err.downcast_ref::<ParsePathError>() {
        return vec![FieldError::new(p.name, "invalid", short(&p.reason))];
    }
    match (err.downcast_ref::<ParseRequestPayloadError>(), received) {
        (Some(_), Some(r)) => r.schemas.errors(method, path, &r.body),
        _ => Vec::new(),
    }
}

/// A parser's reason, cut short (it may quote the client's input).
fn short(reason: &str) -> String {
    reason.chars().take(200).collect()
}

/// `e` as `errors` entries. Messages are the validator's with the client's value masked, so a
/// password sent in the wrong place is never echoed back.
fn describe(e: &ValidationError<'_>, out: &mut Vec<FieldError>) {
    let at = e.instance_path().as_str();
    let message = e.masked().to_string();
    let (field, code) = match e.kind() {
        ValidationErrorKind::Required { property } => {
            (child(at, property.as_str().unwrap_or_default()), "required")
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                out.push(FieldError::new(
                    child(at, name),
                    "unknown_field",
                    "is not a field of this request",
                ));
            }
            return;
        }
        ValidationErrorKind::Type { .. } => (at.to_owned(), "type"),
        ValidationErrorKind::MaxLength { .. } => (at.to_owned(), "too_long"),
        ValidationErrorKind::MinLength { .. } => (at.to_owned(), "too_short"),
        ValidationErrorKind::MaxItems { .. } => (at.to_owned(), "too_many"),
        ValidationErrorKind::MinItems { .. } => (at.to_owned(), "too_few"),
        ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. } => (at.to_owned(), "out_of_range"),
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => {
            (at.to_owned(), "not_allowed")
        }
        ValidationErrorKind::Pattern { .. } => (at.to_owned(), "pattern"),
        ValidationErrorKind::Format { .. } => (at.to_owned(), "format"),
        _ => (at.to_owned(), "invalid"),
    };
    out.push(FieldError::new(field, code, message));
}

/// The JSON pointer of member `name` of the value at `parent` (RFC 6901 escaping).
fn child(parent: &str, name: &str) -> String {
    format!("{parent}/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"{
      "paths": {
        "/v1/tenants/{tenant}/auth/login": {"post": {"requestBody": {"content": {
          "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Login"}}}}}},
        "/v1/tenants/{tenant}/me": {"get": {}}
      },
      "components": {"schemas": {
        "Login": {"type": "object", "required": ["email", "password"], "properties": {
          "email": {"type": "string", "maxLength": 10},
          "password": {"type": "string"},
          "cookie": {"type": "boolean"},
          "nested": {"$ref": "#/components/schemas/Nested"}}},
        "Nested": {"type": "object", "required": ["a/b"], "properties": {"a/b": {"type": "integer"}}}
      }}
    }"##;

    fn errors(body: &str) -> Vec<(String, String)> {
        BodySchemas::from_spec(SPEC)
            .errors("POST", "/v1/tenants/acme/auth/login", body.as_bytes())
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn each_failure_names_its_field_as_a_json_pointer() {
        let mut got = errors(r#"{"email": "a-very-long-address", "cookie": "yes", "nested": {}}"#);
        got.sort();
        assert_eq!(
            got,
            [
                ("/cookie".into(), "type".into()),
                ("/email".into(), "too_long".into()),
                ("/nested/a~1b".into(), "required".into()),
                ("/password".into(), "required".into()),
            ]
        );
    }

    #[test]
    fn a_missing_or_broken_body_is_named_at_the_root() {
        assert_eq!(errors(""), [("".into(), "required".into())]);
        assert_eq!(errors("{\"email\":"), [("".into(), "invalid_json".into())]);
    }

    #[test]
    fn the_clients_value_is_never_echoed() {
        let got = BodySchemas::from_spec(SPEC).errors(
            "POST",
            "/v1/tenants/acme/auth/login",
            br#"{"email": "hunter2-hunter2", "password": 12345}"#,
        );
        assert!(!got.is_empty());
        for e in got {
            assert!(!e.message.contains("hunter2"), "{}", e.message);
            assert!(!e.message.contains("12345"), "{}", e.message);
        }
    }

    #[test]
    fn operations_without_a_body_schema_report_nothing() {
        let s = BodySchemas::from_spec(SPEC);
        assert!(s.errors("GET", "/v1/tenants/acme/me", b"{}").is_empty());
        assert!(s.errors("POST", "/nowhere", b"{}").is_empty());
        assert!(
            s.errors(
                "POST",
                "/v1/tenants/acme/auth/login",
                br#"{"email":"a","password":"b"}"#
            )
            .is_empty()
        );
    }
}
