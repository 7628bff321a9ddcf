//! The `Allow` header of a `405 Method Not Allowed` (RFC 9110 requires it): the methods the
//! OpenAPI document declares for the path that was asked for.

use std::collections::BTreeMap;

/// The order methods are listed in.
const ORDER: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// A fixed segment, such as `members`.
    Literal(String),
    /// A `{parameter}`, matching any one non-empty segment.
    Param,
}

/// Path templates with the methods each one serves.
#[derive(Debug, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<Segment>, String)>,
}

impl AllowedMethods {
    /// The routes of an OpenAPI document's `paths`, plus `extra` (path, methods) routes served
    /// outside it. A document that does not parse gives no routes (and so no `Allow` header).
    pub fn from_spec(spec: &str, extra: &[(&str, &str)]) -> Self {
        let mut routes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(spec)
            && let Some(paths) = doc.get("paths").and_then(|p| p.as_object())
        {
            for (path, item) in paths {
                let methods = item.as_object().into_iter().flat_map(|ops| ops.keys());
                routes
                    .entry(path.clone())
                    .or_default()
                    .extend(methods.map(|m| m.to_ascii_uppercase()));
            }
        }
        for (path, methods) in extra {
            routes
                .entry((*path).to_owned())
                .or_default()
                .extend(methods.split(',').map(|m| m.trim().to_owned()));
        }
        let routes = routes
            .into_iter()
            .map(|(path, mut methods)| {
                methods.sort_by_key(|m| ORDER.iter().position(|o| o == m));
                methods.dedup();
                (template(&path), methods.join(", "))
            })
            .collect();
        Self { routes }
    }

    /// The `Allow` value for `path`: the methods of the template that matches it, preferring
    /// fixed segments over parameters from the left, as the router does.
    pub fn for_path(&self, path: &str) -> Option<&str> {
        best_match(&self.routes, path).map(|(_, methods)| methods.as_str())
    }
}

/// The route whose template matches `path`, preferring fixed segments over parameters from the
/// left, as the router does.
pub(super) fn best_match<'a, T>(
    routes: &'a [(Vec<Segment>, T)],
    path: &str,
) -> Option<&'a (Vec<Segment>, T)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    routes
        .iter()
        .filter(|(template, _)| matches(template, &segments))
        .max_by_key(|(template, _)| {
            template
                .iter()
                .map(|s| matches!(s, Segment::Literal(_)))
                .collect::<Vec<_>>()
        })
}

/// The segments of an OpenAPI path template such as `/v1/tenants/{tenant}/members`.
pub(super) fn template(path: &str) -> Vec<Segment> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

fn matches(template: &[Segment], segments: &[&str]) -> bool {
    template.len() == segments.len()
        && template.iter().zip(segments).all(|(t, s)| match t {
            Segment::Literal(l) => l == s,
            Segment::Param => !s.is_empty(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"{"paths": {
        "/v1/tenants/{tenant}/members/{user_id}": {"get": {}, "patch": {}, "delete": {}},
        "/v1/tenants/{tenant}/members/invitations": {"get": {}, "post": {}},
        "/v1/tenants/{tenant}/members/{user_id}/sessions": {"delete": {}},
        "/v1/tenants/{tenant}/members/invitations/{invitation_id}": {"delete": {}}
    }}"#;

    #[test]
    fn the_most_specific_template_names_the_methods() {
        let allow = AllowedMethods::from_spec(SPEC, &[("/metrics", "GET")]);
        assert_eq!(
            allow.for_path("/v1/tenants/acme/members/u1"),
            Some("GET, PATCH, DELETE")
        );
        assert_eq!(
            allow.for_path("/v1/tenants/acme/members/invitations"),
            Some("GET, POST")
        );
        assert_eq!(
            allow.for_path("/v1/tenants/acme/members/invitations/sessions"),
            Some("DELETE")
        );
        assert_eq!(allow.for_path("/metrics"), Some("GET"));
        assert_eq!(allow.for_path("/v1/tenants/acme/nothing"), None);
        assert_eq!(allow.for_path("/v1/tenants//members/u1"), None);
    }
}
