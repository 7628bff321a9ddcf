//! The OpenAPI document as published (`platform openapi`, `/openapi.json`): poem-openapi's,
//! finished where its attributes cannot say what the server does. Public operations say
//! `security: []`; media types carry no parameters; unsigned integer formats become ones every
//! generator knows; each operation lists only the error statuses it can answer; the server is
//! the deployment's `public_url`.

use serde_json::{Map, Value, json};

/// What `platform openapi` names as the server: the default `public_url`.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// Public operations that check a credential carried in their body (a password, a code, a
/// token), and so can answer `401`.
const CREDENTIAL_CHECKS: &[&str] = &[
    "session_login",
    "mfa_challenge_verify",
    "mfa_email_code_send",
    "otp_verify",
    "token_refresh",
    "invitation_accept",
    "operator_login",
    "operator_login_mfa",
    "operator_token_refresh",
];

/// Operations that can refuse with `409` (a conflict with the resource's state).
const CONFLICTS: &[&str] = &[
    "me_delete",
    "totp_enroll",
    "totp_confirm",
    "totp_disable",
    "backup_codes_regenerate",
    "member_update",
    "member_remove",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitation_accept",
    "settings_update",
    "tenant_create",
    "tenant_update",
    "tenant_member_update",
    "tenant_invitation_resend",
    "customer_search",
];

/// `doc` (poem-openapi's document, as JSON) finished for publication, naming `server`.
pub fn finish(doc: &str, server: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(doc) else {
        return doc.to_owned();
    };
    if let Some(root) = doc.as_object_mut() {
        root.insert(
            "servers".into(),
            json!([{ "url": server, "description": "this deployment (its `public_url`)" }]),
        );
        if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
            info.insert(
                "contact".into(),
                json!({ "name": "The operators of this deployment", "url": server }),
            );
            info.insert(
                "license".into(),
                json!({ "name": "Apache-2.0",
                        "url": "https://www.apache.org/licenses/LICENSE-2.0" }),
            );
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|i| i.values_mut())
            {
                if let Some(op) = op.as_object_mut() {
                    finish_operation(path, op);
                }
            }
        }
    }
    plain_media_types(&mut doc);
    portable_integers(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// One operation: `security: []` when public, and only the error statuses it can answer.
fn finish_operation(path: &str, op: &mut Map<String, Value>) {
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if !secured {
        op.insert("security".into(), json!([]));
    }
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let has_body = op.contains_key("requestBody");
    let params: Vec<(String, String)> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?.to_owned(),
                p.get("in")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    let tenant_path = path.starts_with("/v1/tenants/{tenant}");
    let admin_tenant = path.starts_with("/v1/admin/tenants/{tenant}");
    let health = path.starts_with("/health/");
    let other_path_params = params
        .iter()
        .any(|(name, place)| place == "path" && name != "tenant");
    let checked_params = params
        .iter()
        .any(|(name, place)| place == "query" || (place == "path" && name != "tenant"));
    let can = |status: &str| match status {
        "400" => has_body || checked_params,
        "401" => secured || CREDENTIAL_CHECKS.contains(&id.as_str()),
        "403" => secured || tenant_path,
        "404" => tenant_path || admin_tenant || other_path_params,
        "409" => CONFLICTS.contains(&id.as_str()),
        // Any request may come with a body too large to read, whatever the operation.
        "413" => true,
        "415" => has_body,
        "429" | "500" => !health,
        "503" => path != "/health/live",
        _ => true,
    };
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        responses.retain(|status, _| !status.starts_with(['4', '5']) || can(status));
    }
}

/// `application/json; charset=utf-8` → `application/json` (the charset is JSON's anyway, and
/// parameters in the media-type key break some generators' typings).
fn plain_media_types(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(content)) = map.get_mut("content") {
                let keys: Vec<String> = content.keys().cloned().collect();
                for k in keys {
                    if let Some((base, _)) = k.split_once(';')
                        && let Some(media) = content.remove(&k)
                    {
                        content.insert(base.trim().to_owned(), media);
                    }
                }
            }
            map.values_mut().for_each(plain_media_types);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_media_types),
        _ => {}
    }
}

/// Rust's unsigned formats (`uint32`, …) are unknown to generators: say `int32`/`int64` with a
/// `minimum` of 0 instead.
fn portable_integers(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let is_integer = map.get("type").and_then(Value::as_str) == Some("integer");
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            if is_integer && let Some(format) = format {
                let portable = match format.as_str() {
                    "uint8" | "uint16" => Some("int32"),
                    "uint32" | "uint64" | "uint" => Some("int64"),
                    "int8" | "int16" => Some("int32"),
                    _ => None,
                };
                if let Some(p) = portable {
                    map.insert("format".into(), json!(p));
                    if format.starts_with('u') && !map.contains_key("minimum") {
                        map.insert("minimum".into(), json!(0));
                    }
                }
            }
            map.values_mut().for_each(portable_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(portable_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(doc: Value) -> Value {
        serde_json::from_str(&finish(&doc.to_string(), "https://auth.example.com"))
            .expect("the finished document is JSON")
    }

    #[test]
    fn public_operations_say_so_and_keep_only_their_statuses() {
        let errors: Map<String, Value> = [
            "200", "400", "401", "403", "404", "409", "413", "415", "429", "500", "503",
        ]
        .iter()
        .map(|s| ((*s).to_owned(), json!({})))
        .collect();
        let doc = finished(json!({
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/health/live": {"get": {"operationId": "health_live", "responses": errors}},
                "/v1/tenants/{tenant}/me": {"get": {"operationId": "me_get",
                    "security": [{"UserAuth": []}],
                    "parameters": [{"name": "tenant", "in": "path"}], "responses": errors}},
                "/v1/tenants/{tenant}/auth/login": {"post": {"operationId": "session_login",
                    "parameters": [{"name": "tenant", "in": "path"}],
                    "requestBody": {"content": {"application/json; charset=utf-8": {"schema": {}}}},
                    "responses": errors}}
            }
        }));
        let statuses = |p: &str, m: &str| -> Vec<String> {
            doc["paths"][p][m]["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(statuses("/health/live", "get"), ["200", "413"]);
        assert_eq!(
            statuses("/v1/tenants/{tenant}/me", "get"),
            ["200", "401", "403", "404", "413", "429", "500", "503"]
        );
        assert_eq!(
            statuses("/v1/tenants/{tenant}/auth/login", "post"),
            [
                "200", "400", "401", "403", "404", "413", "415", "429", "500", "503"
            ]
        );
        assert_eq!(doc["paths"]["/health/live"]["get"]["security"], json!([]));
        assert_eq!(
            doc["paths"]["/v1/tenants/{tenant}/me"]["get"]["security"],
            json!([{"UserAuth": []}])
        );
        assert!(doc["paths"]["/v1/tenants/{tenant}/auth/login"]["post"]["requestBody"]["content"]
            ["application/json"].is_object());
        assert_eq!(doc["servers"][0]["url"], "https://auth.example.com");
        assert_eq!(doc["info"]["license"]["name"], "Apache-2.0");
    }

    #[test]
    fn unsigned_formats_become_portable() {
        let doc = finished(json!({"components": {"schemas": {"X": {"properties": {
            "a": {"type": "integer", "format": "uint32"},
            "b": {"type": "integer", "format": "int64"}}}}}}));
        let x = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(
            x["a"],
            json!({"type": "integer", "format": "int64", "minimum": 0})
        );
        assert_eq!(x["b"], json!({"type": "integer", "format": "int64"}));
    }
}
