//! The committed OpenAPI document matches the code, and every operation has an operationId.

const COMMITTED: &str = include_str!("../../../openapi/platform.json");

#[test]
fn committed_spec_is_current() {
    let current = platform::http::spec_json();
    let a: serde_json::Value = serde_json::from_str(&current).expect("generated spec is JSON");
    let b: serde_json::Value = serde_json::from_str(COMMITTED).expect("committed spec is JSON");
    assert!(
        a == b,
        "openapi/platform.json is out of date; regenerate it with:\n    \
         cargo run -q -p platform -- openapi > openapi/platform.json"
    );
}

#[test]
fn every_operation_has_a_resource_verb_operation_id() {
    let spec: serde_json::Value = serde_json::from_str(&platform::http::spec_json()).expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                id.contains('_') && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{method} {path}: operationId {id:?} is not resource_verb"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}: no documented responses"
            );
        }
    }
}
