//! Hostile input and browser rules: invalid UTF-8, deep JSON nesting, slow headers, security
//! headers on every answer, per-tenant CORS origins, and refresh tokens bound to where they
//! signed in.

use std::{
    io::{Read, Write},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, post, send, sign_up},
    helpers::{Db, spawn_app, spawn_app_with},
    members::tenant_with_owner,
};

crate::both_backends!(
    cors_origins_are_a_tenant_setting,
    refresh_tokens_can_be_bound
);

async fn raw_post(app: &crate::helpers::TestApp, path: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer");
    let (st, ct, body) = crate::http_basics::problem(resp).await;
    assert_eq!(ct, "application/problem+json", "{path}: a problem");
    (st, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_clear_4xx() {
    let app = spawn_app(Db::Sqlite).await;
    app.tenant("acme").await;
    let path = "/v1/tenants/acme/auth/register";
    // Invalid UTF-8 inside a JSON string.
    let mut body = br#"{"email":"a"#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    body.extend_from_slice(br#"@acme.test","password":"x"}"#);
    let (st, p) = raw_post(&app, path, body).await;
    assert_eq!(
        (st, p["code"].as_str()),
        (400, Some("invalid_request")),
        "{p}"
    );
    // Nesting far past any parser's recursion limit, within the size bound.
    let deep = format!(
        r#"{{"email":{}{},"password":"x"}}"#,
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let (st, p) = raw_post(&app, path, deep.into_bytes()).await;
    assert_eq!(
        (st, p["code"].as_str()),
        (400, Some("invalid_request")),
        "{p}"
    );
    let deep_objects = format!("{}{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    let (st, _) = raw_post(&app, path, deep_objects.into_bytes()).await;
    assert_eq!(st, 400);
    // Not JSON at all, and JSON of the wrong shape.
    assert_eq!(
        raw_post(&app, path, b"\x00\x01garbage".to_vec()).await.0,
        400
    );
    assert_eq!(raw_post(&app, path, b"[1,2,3]".to_vec()).await.0, 400);
    // Still serving.
    let (st, _) = post(
        &app,
        path,
        json!({ "email": "fine@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    // 2 s, not 1: on a loaded machine a well-behaved client's own headers must still make it.
    let app = spawn_app_with(Db::Sqlite, &[("header_timeout_secs", "2")]).await;
    let mut s = std::net::TcpStream::connect(app.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .expect("partial headers");
    let start = Instant::now();
    let mut buf = Vec::new();
    // The server answers 408 or just closes; either way the read ends, well before 10 s.
    let _ = s.read_to_end(&mut buf);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "held for {took:?}");
    let text = String::from_utf8_lossy(&buf);
    assert!(
        buf.is_empty() || text.starts_with("HTTP/1.1 408"),
        "closed or 408: {text}"
    );
    // Others are served meanwhile and after.
    let r = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("live: {e:?}"));
    assert_eq!(r.status(), 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app(Db::Sqlite).await;
    app.tenant("acme").await;
    let c = &app.client;
    let reqs = [
        c.get(app.url("/health/live")),
        c.get(app.url("/no/such/path")),
        c.get(app.url("/v1/tenants/acme/me")),
        c.get(app.url("/v1/tenants/nope/me")),
        c.post(app.url("/health/live")).body(vec![b'x'; 70 * 1024]),
        c.get(app.url("/openapi.json")),
        c.get(app.url("/docs")),
        c.request(
            reqwest::Method::OPTIONS,
            app.url("/v1/tenants/acme/auth/login"),
        )
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST"),
    ];
    for req in reqs {
        // The server answers an oversized body without reading it and closes: on a loaded
        // machine the client may still be sending and see the reset instead of the answer.
        // That answer is lost, not wrong, so it is asked again.
        let mut tries = 0;
        let resp = loop {
            match req.try_clone().expect("a clonable request").send().await {
                Ok(r) => break r,
                Err(e) if tries < 3 => {
                    tries += 1;
                    eprintln!("asking again after: {e}");
                }
                Err(e) => panic!("no answer: {e}"),
            }
        };
        let h = resp.headers();
        let what = format!("{} {}", resp.status(), resp.url().path());
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
        assert!(h.contains_key("x-request-id"), "{what}");
        if resp.url().path() != "/docs" {
            assert_eq!(
                h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
                "{what}"
            );
        }
    }
    app.stop().await;
}

async fn cors_origins_are_a_tenant_setting(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "owner@acme.test").await;
    let ot = owner["access_token"].as_str().expect("token").to_owned();
    let settings = "/v1/tenants/acme/settings";
    for bad in ["https://app.example.com/", "*", "https://*.example.com"] {
        let (st, p) = send(
            &app,
            reqwest::Method::PATCH,
            settings,
            Some(json!({ "cors_allowed_origins": [bad] })),
            &ot,
        )
        .await;
        assert_eq!(st, 400, "{bad}: {p}");
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("cors_allowed_origins"), "{p}");
    }
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                app.url("/v1/tenants/acme/auth/login"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let good = "https://app.example.com";
    assert_eq!(preflight(good).await.expect("preflight").status(), 403);
    let (st, s) = send(
        &app,
        reqwest::Method::PATCH,
        settings,
        Some(json!({ "cors_allowed_origins": [good] })),
        &ot,
    )
    .await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["cors_allowed_origins"], json!([good]));
    // The change applies at once.
    let r = preflight(good).await.expect("preflight");
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], good);
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert!(
        r.headers()["access-control-allow-methods"]
            .to_str()
            .expect("ascii")
            .contains("POST")
    );
    let r = preflight("https://evil.example").await.expect("preflight");
    assert_eq!(r.status(), 403);
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    // Actual requests: the allowed origin may read the answer, errors included.
    let r = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .header("origin", good)
        .send()
        .await
        .expect("me");
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["access-control-allow-origin"], good);
    assert_eq!(r.headers()["vary"], "Origin");
    let r = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("me");
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    // `null` restores the default: no origin.
    let (st, s) = send(
        &app,
        reqwest::Method::PATCH,
        settings,
        Some(json!({ "cors_allowed_origins": null })),
        &ot,
    )
    .await;
    assert_eq!((st, s["cors_allowed_origins"].clone()), (200, json!([])));
    assert_eq!(preflight(good).await.expect("preflight").status(), 403);
    app.stop().await;
}

async fn refresh_tokens_can_be_bound(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "owner@acme.test").await;
    let ot = owner["access_token"].as_str().expect("token").to_owned();
    sign_up(&app, "acme", "ann@acme.test").await;
    let (st, s) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/tenants/acme/settings",
        Some(json!({ "refresh_binding": { "ipv4_prefix": 7 } })),
        &ot,
    )
    .await;
    assert_eq!(st, 400, "{s}");
    let (st, s) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/tenants/acme/settings",
        Some(json!({ "refresh_binding": { "ipv4_prefix": 32, "user_agent": true } })),
        &ot,
    )
    .await;
    assert_eq!(st, 200, "{s}");
    let from = |ip: [u8; 4], agent: &str| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .user_agent(agent.to_owned())
            .build()
            .expect("client")
    };
    let home = from([127, 0, 0, 1], "app/1.0");
    let login = home
        .post(app.url("/v1/tenants/acme/auth/login"))
        .json(&json!({ "email": "ann@acme.test", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let pair: Value = login.json().await.expect("pair");
    let token = pair["refresh_token"].as_str().expect("refresh").to_owned();
    let refresh = |c: reqwest::Client, token: String| {
        let url = app.url("/v1/tenants/acme/auth/token/refresh");
        async move {
            let r = c
                .post(url)
                .json(&json!({ "refresh_token": token }))
                .send()
                .await
                .expect("refresh");
            let st = r.status().as_u16();
            (st, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Another address, or another browser: refused, and the token is not spent.
    let (st, p) = refresh(from([127, 0, 0, 2], "app/1.0"), token.clone()).await;
    assert_eq!(
        (st, p["code"].as_str()),
        (401, Some("invalid_refresh_token"))
    );
    let (st, _) = refresh(from([127, 0, 0, 1], "curl/8"), token.clone()).await;
    assert_eq!(st, 401);
    let (st, next) = refresh(home.clone(), token).await;
    assert_eq!(st, 200, "the token still works where it belongs: {next}");
    app.stop().await;
}
