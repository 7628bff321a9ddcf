//! The HTTP foundation: problem+json for every error, request ids, body bounds, probes,
//! metrics, the spec and the docs.

use crate::helpers::{Db, spawn_app};

crate::both_backends!(
    probes_metrics_spec_and_docs,
    refused_bodies_name_their_fields,
    resource_servers_may_cache_the_keys
);

async fn refused_bodies_name_their_fields(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let login = |body: &'static str| {
        app.client
            .post(app.url("/v1/tenants/acme/auth/login"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let errors = |body: &serde_json::Value| -> Vec<(String, String)> {
        let mut e: Vec<(String, String)> = body["errors"]
            .as_array()
            .expect("an errors list")
            .iter()
            .map(|e| {
                assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
                (
                    e["field"].as_str().expect("field").to_owned(),
                    e["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect();
        e.sort();
        e
    };
    // A missing field and a wrong type, each named by a JSON pointer.
    let (status, ct, body) = problem(
        login(r#"{"email": 5, "cookie": "hunter2-secret"}"#)
            .await
            .expect("request"),
    )
    .await;
    assert_eq!((status, ct.as_str()), (400, "application/problem+json"));
    assert_eq!(body["code"], "invalid_request");
    assert_eq!(
        errors(&body),
        [
            ("/cookie".into(), "type".into()),
            ("/email".into(), "type".into()),
            ("/password".into(), "required".into()),
        ]
    );
    assert!(
        !body.to_string().contains("hunter2"),
        "the value is echoed: {body}"
    );
    // Not JSON at all, and no body.
    let (status, _, body) = problem(login("{\"email\":").await.expect("request")).await;
    assert_eq!(
        (status, errors(&body)),
        (400, vec![("".into(), "invalid_json".into())])
    );
    let (status, _, body) = problem(login("").await.expect("request")).await;
    assert_eq!(
        (status, errors(&body)),
        (400, vec![("".into(), "required".into())])
    );
    // A domain rule names its field the same way.
    let (status, _, body) = problem(
        app.client
            .post(app.url("/v1/tenants/acme/auth/register"))
            .json(&serde_json::json!({"email": "ada@example.com", "password": "short"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        (status, errors(&body)),
        (400, vec![("/password".into(), "invalid".into())])
    );
    // A bad query parameter is named by its name.
    let owner = app.signed_in_user("acme", "owner@example.com").await;
    let (status, _, body) = problem(
        app.client
            .get(app.url("/v1/tenants/acme/audit-events?limit=lots"))
            .bearer_auth(&owner.access)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        (status, errors(&body)),
        (400, vec![("limit".into(), "invalid".into())])
    );
    app.stop().await;
}

async fn resource_servers_may_cache_the_keys(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let resp = app
        .client
        .get(app.url("/v1/tenants/acme/.well-known/jwks.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "public, max-age=300");
    // Everything else under /v1 stays out of caches, errors of the same path included.
    let resp = app
        .client
        .get(app.url("/v1/tenants/nobody/.well-known/jwks.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let resp = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    app.stop().await;
}

async fn probes_metrics_spec_and_docs(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    for path in [
        "/health/live",
        "/health/ready",
        "/openapi.json",
        "/docs",
        "/reference",
        "/metrics",
    ] {
        let resp = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers().contains_key("x-request-id"), "{path}");
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    }
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("http_requests_total{operation=\"health_live\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("platform_tenants 1"), "{metrics}");
    app.stop().await;
}

/// A response's status, content type and JSON body.
pub async fn problem(resp: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = resp.json().await.expect("json body");
    (status, ct, body)
}

#[tokio::test]
async fn every_error_is_a_problem_with_the_request_id() {
    let app = spawn_app(Db::Sqlite).await;
    let c = &app.client;
    let cases = [
        (c.get(app.url("/no/such/path")), 404, "not_found"),
        (c.post(app.url("/health/live")), 405, "method_not_allowed"),
        (
            c.get(app.url("/v1/tenants/UPPER/me")),
            404,
            "tenant_not_found",
        ),
        (
            c.get(app.url("/v1/tenants/no-such/me")),
            404,
            "tenant_not_found",
        ),
        (
            c.post(app.url("/health/live"))
                .header("content-type", "application/json")
                .body(vec![b'x'; 70 * 1024]),
            413,
            "payload_too_large",
        ),
    ];
    for (req, status, code) in cases {
        let resp = req.send().await.expect("request");
        let rid = resp.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let (got, ct, body) = problem(resp).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(body["code"], code);
        assert_eq!(body["status"], status);
        assert_eq!(body["request_id"], rid.as_str());
        assert!(body["type"].as_str().is_some() && body["title"].as_str().is_some());
    }
    app.stop().await;
}

#[tokio::test]
async fn streamed_bodies_are_bounded_too() {
    let app = spawn_app(Db::Sqlite).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..100).map(|_| Ok(vec![b'x'; 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let resp = app
        .client
        .post(app.url("/health/live"))
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 413);
    app.stop().await;
}

#[tokio::test]
async fn request_ids_are_kept_when_well_formed_and_replaced_otherwise() {
    let app = spawn_app(Db::Sqlite).await;
    let resp = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "abc-123_X.y")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.headers()["x-request-id"], "abc-123_X.y");
    for bad in ["a b", "<script>", &"x".repeat(65)] {
        let resp = app
            .client
            .get(app.url("/health/live"))
            .header("x-request-id", bad)
            .send()
            .await
            .expect("request");
        let got = resp.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_ne!(got, bad);
        assert!(uuid::Uuid::parse_str(&got).is_ok(), "{got}");
    }
    app.stop().await;
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app(Db::Sqlite).await;
    app.state.store.close().await;
    let resp = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("request");
    let (status, ct, body) = problem(resp).await;
    assert_eq!(status, 503);
    assert_eq!(ct, "application/problem+json");
    assert_eq!(body["code"], "service_unavailable");
    // Liveness does not depend on the database.
    let live = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .expect("request");
    assert_eq!(live.status(), 200);
}
