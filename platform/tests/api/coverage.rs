//! Every operation in the spec that needs a token, called anonymously, with another tenant's
//! token, with a tampered token and with an expired one: always 401 (or 404), never served.
//! Every tenant operation that declares a permission (in its doc comment, so in the spec), called
//! by a member whose role grants none: 403. Every operator operation that declares `admin`,
//! called by a support operator: 403. Every other operation is listed, with the reason, in
//! `uncovered_operations.txt`; an operation that is neither fails the test, so a new resource
//! cannot go unchecked.

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

/// One operation of the spec.
struct Op {
    id: String,
    method: String,
    path: String,
    secured: bool,
    /// The tenant permission its doc comment names (`members:read`, …).
    permission: Option<&'static str>,
    /// Whether its doc comment reserves it to `admin` operators.
    admin_only: bool,
}

/// Every operation of the spec, with what its text declares.
fn operations(spec: &Value) -> Vec<Op> {
    let catalogue: Vec<&'static str> = platform::roles::Permission::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let text = format!(
                "{} {}",
                op["summary"].as_str().unwrap_or_default(),
                op["description"].as_str().unwrap_or_default()
            );
            let named: Vec<&'static str> = catalogue
                .iter()
                .copied()
                .filter(|p| text.contains(&format!("`{p}`")))
                .collect();
            assert!(
                named.len() <= 1,
                "{method} {path} names several permissions: {named:?}"
            );
            ops.push(Op {
                id: op["operationId"].as_str().expect("operationId").to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                secured: op
                    .get("security")
                    .and_then(|s| s.as_array())
                    .is_some_and(|s| !s.is_empty()),
                permission: named.first().copied(),
                admin_only: path.starts_with("/v1/admin/")
                    && text.contains("`admin`")
                    && !text.contains("`support`"),
            });
        }
    }
    ops
}

/// The committed list of operations this test does not cover: id → kind (`public` or `self`).
fn uncovered() -> std::collections::BTreeMap<String, String> {
    include_str!("uncovered_operations.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(
                parts.len() == 3 && !parts[2].is_empty(),
                "{l:?}: an entry is `operation_id | public|self | reason`"
            );
            (parts[0].to_owned(), parts[1].to_owned())
        })
        .collect()
}

#[test]
fn every_operation_is_covered_or_listed_with_a_reason() {
    let spec: Value = serde_json::from_str(&platform::http::spec_json()).expect("spec");
    let ops = operations(&spec);
    let listed = uncovered();
    for id in listed.keys() {
        assert!(
            ops.iter().any(|o| &o.id == id),
            "uncovered_operations.txt lists {id}, which the spec does not have"
        );
    }
    for op in &ops {
        let what = format!("{} {} ({})", op.method, op.path, op.id);
        match (listed.get(&op.id).map(String::as_str), op.secured) {
            (Some("public"), false) => {}
            (Some("public"), true) => panic!("{what} is listed as public but needs a token"),
            (Some("self"), true) => assert!(
                op.permission.is_none(),
                "{what} is listed as self-service but declares a permission"
            ),
            (Some("self"), false) => panic!("{what} is listed as self-service but takes no token"),
            (Some(kind), _) => panic!("{what}: unknown kind {kind:?}"),
            (None, false) => {
                panic!("{what} takes no token: list it in uncovered_operations.txt with the reason")
            }
            (None, true) if op.path.starts_with("/v1/tenants/") => assert!(
                op.permission.is_some(),
                "{what} needs a token but declares no permission: name it in its doc comment \
                 (e.g. `members:read`) or list it as self-service in uncovered_operations.txt"
            ),
            // Operator operations: `read` unless their text reserves them.
            (None, true) => {}
        }
    }
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
    let ops = operations(&spec);
    let mut checked = 0;
    for op in ops.iter().filter(|o| o.secured) {
        let url = fill(&op.path);
        for (label, token) in [
            ("anonymous", None),
            ("another tenant's", Some(other_tenant.as_str())),
            ("tampered", Some(tampered.as_str())),
            ("expired", Some(expired.as_str())),
            ("garbage", Some("not.a.jwt")),
        ] {
            let m = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
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
                "{} {} with {label} token answered {status}",
                op.method,
                op.path
            );
        }
        checked += 1;
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
    for op in &ops {
        let Some(permission) = op.permission else {
            continue;
        };
        assert!(op.secured, "{} {} is unauthenticated", op.method, op.path);
        let body = if op.path.ends_with("/settings") {
            serde_json::json!({ "self_signup": true })
        } else {
            serde_json::json!({ "email": "x@acme.test", "role": "member" })
        };
        let m = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
        let resp = app
            .client
            .request(m, app.url(&fill(&op.path)))
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
            "{} {} ({permission}) as a guest",
            op.method,
            op.path
        );
        refused += 1;
    }
    assert!(
        refused >= 12,
        "expected the admin operations, found {refused}"
    );

    // A support operator is refused the operations reserved to admin operators.
    let (support, _) = crate::operators::operator(&app, "sam@platform.test", "support").await;
    let support = support["access_token"].as_str().expect("token").to_owned();
    let mut reserved = 0;
    for op in ops.iter().filter(|o| o.admin_only) {
        let m = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
        let url = format!("{}?confirm=acme", fill(&op.path));
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
            "{} {} as a support operator",
            op.method,
            op.path
        );
        reserved += 1;
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
