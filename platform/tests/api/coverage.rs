//! Every operation in the spec that needs a token, called anonymously, with another tenant's
//! token, with a tampered token and with an expired one: always 401 (or 404), never served.
//! And every tenant-admin operation called by a member whose role grants no permission: 403.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use platform::crypto::jwt::AccessClaims;
use serde_json::Value;

use crate::{
    accounts::sign_up,
    helpers::{Db, spawn_app},
};

crate::both_backends!(every_protected_operation_refuses_bad_tokens);

/// `path` with its parameters filled in: tenant `acme`, fresh ids for the rest.
fn fill(path: &str) -> String {
    let mut url = path.replace("{tenant}", "acme");
    for p in ["{session_id}", "{user_id}", "{invitation_id}"] {
        url = url.replace(p, &uuid::Uuid::now_v7().to_string());
    }
    url
}

/// Whether `path` is a tenant-admin operation (it needs a permission, not only a token).
fn is_admin(path: &str) -> bool {
    ["members", "sessions", "audit-events", "settings"]
        .iter()
        .any(|r| path.starts_with(&format!("/v1/tenants/{{tenant}}/{r}")))
}

fn claims_of(token: &str) -> AccessClaims {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("claims")
}

async fn every_protected_operation_refuses_bad_tokens(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    app.tenant("globex").await;
    let mine = sign_up(&app, "acme", "alice@acme.test").await;
    let theirs = sign_up(&app, "globex", "eve@globex.test").await;
    let good = mine["access_token"].as_str().expect("token").to_owned();

    // Same claims, re-signed with the tenant's real key, but expired an hour ago.
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let keys = app.state.keys.for_tenant(&scope).await.expect("keys");
    let mut old = claims_of(&good);
    old.exp -= 7200;
    old.iat -= 7200;
    old.nbf -= 7200;
    let expired = keys.signer.sign(&old).expect("sign");
    // Claims altered after signing (role raised), signature kept.
    let parts: Vec<&str> = good.split('.').collect();
    let mut raised = claims_of(&good);
    raised.role = "owner".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&raised).expect("json")),
        parts[2]
    );
    let other_tenant = theirs["access_token"].as_str().expect("token").to_owned();

    let spec: Value = serde_json::from_str(&platform::http::spec_json()).expect("spec");
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if op.get("security").is_none() {
                continue;
            }
            let url = fill(path);
            for (label, token) in [
                ("anonymous", None),
                ("another tenant's", Some(other_tenant.as_str())),
                ("tampered", Some(tampered.as_str())),
                ("expired", Some(expired.as_str())),
                ("garbage", Some("not.a.jwt")),
            ] {
                let m =
                    reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let mut req = app
                    .client
                    .request(m, app.url(&url))
                    .json(&serde_json::json!({}));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let resp = req.send().await.expect("request");
                let status = resp.status().as_u16();
                assert!(
                    status == 401 || status == 404,
                    "{method} {path} with {label} token answered {status}"
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "expected several protected operations, found {checked}"
    );

    // A member whose role grants nothing is refused every admin operation.
    crate::accounts::set_setting(&app, "acme", "default_role", r#""guest""#).await;
    let guest = sign_up(&app, "acme", "gil@acme.test").await;
    let guest = guest["access_token"].as_str().expect("token").to_owned();
    let mut refused = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        if !is_admin(path) {
            continue;
        }
        for (method, op) in item.as_object().expect("item") {
            assert!(
                op.get("security").is_some(),
                "{method} {path} is unauthenticated"
            );
            let body = if path.ends_with("/settings") {
                serde_json::json!({ "self_signup": true })
            } else {
                serde_json::json!({ "email": "x@acme.test", "role": "member" })
            };
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let resp = app
                .client
                .request(m, app.url(&fill(path)))
                .bearer_auth(&guest)
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            let problem: Value = resp.json().await.unwrap_or(Value::Null);
            assert_eq!(
                (status, problem["code"].as_str()),
                (403, Some("forbidden")),
                "{method} {path} as a guest"
            );
            refused += 1;
        }
    }
    assert!(
        refused >= 12,
        "expected the admin operations, found {refused}"
    );

    // A support operator is refused the operations reserved to admin operators.
    let (support, _) = crate::operators::operator(&app, "sam@platform.test", "support").await;
    let support = support["access_token"].as_str().expect("token").to_owned();
    let mut reserved = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let id = op["operationId"].as_str().unwrap_or_default();
            if ![
                "tenant_create",
                "tenant_update",
                "tenant_delete",
                "operator_list",
            ]
            .contains(&id)
            {
                continue;
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let url = format!("{}?confirm=acme", fill(path));
            let resp = app
                .client
                .request(m, app.url(&url))
                .bearer_auth(&support)
                .json(&serde_json::json!({ "slug": "new-co", "name": "X" }))
                .send()
                .await
                .expect("request");
            assert_eq!(
                resp.status().as_u16(),
                403,
                "{method} {path} as a support operator"
            );
            reserved += 1;
        }
    }
    assert_eq!(reserved, 4);
    // And the good token does work (the checks above are not vacuous).
    let resp = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .bearer_auth(&good)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    app.stop().await;
}
