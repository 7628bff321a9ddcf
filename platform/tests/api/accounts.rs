//! Account flows end to end over HTTP: sign-up with the emailed code, login, refresh rotation
//! with reuse detection, sessions, logout, password reset, one-time codes and throttling.

use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, free_port, spawn_app, spawn_app_with, start_smtp},
    mailbox::{code_in, messages_to, token_in, wait_for},
};

crate::both_backends!(
    sign_up_login_refresh_and_logout,
    password_reset_revokes_every_session,
    one_time_code_login_and_sessions,
    repeated_failures_are_throttled,
    profile_password_change_and_deletion,
    key_rotation_keeps_earlier_tokens_valid,
    cookie_mode_needs_the_csrf_token,
    idle_sessions_expire,
    repeated_failures_lock_the_account_in_the_database,
    a_tenant_can_tighten_its_throttling,
    a_stale_hash_is_upgraded_at_login,
);

pub const PASSWORD: &str = "Correct-Horse-Battery-9";

pub async fn post(app: &TestApp, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut req = app.client.post(app.url(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Any method, with a bearer token and an optional JSON body.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    token: &str,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn without_request_id(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("request_id");
    }
    v
}

/// Registers and verifies `email` in `tenant`; returns the token pair.
pub async fn sign_up(app: &TestApp, tenant: &str, email: &str) -> Value {
    let before = messages_to(app, email).len();
    let (st, _) = post(
        app,
        &format!("/v1/tenants/{tenant}/auth/register"),
        json!({ "email": email, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let code = wait_for(app, email, before, code_in).await;
    let (st, pair) = post(
        app,
        &format!("/v1/tenants/{tenant}/auth/email/verify"),
        json!({ "email": email, "code": code }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{pair}");
    pair
}

async fn sign_up_login_refresh_and_logout(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "Alice@Acme.test").await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["user"]["email"], "alice@acme.test");
    assert_eq!(pair["user"]["email_verified"], true);
    let access = pair["access_token"].as_str().expect("access");
    let (st, me) = get(&app, "/v1/tenants/acme/me", Some(access)).await;
    assert_eq!(st, 200);
    assert_eq!(me["tenant_id"], pair["user"]["tenant_id"]);

    // Registering a taken email answers exactly like a new one.
    let (a_st, a) = post(
        &app,
        "/v1/tenants/acme/auth/register",
        json!({"email": "alice@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    let (b_st, b) = post(
        &app,
        "/v1/tenants/acme/auth/register",
        json!({"email": "new@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!((a_st, without_request_id(a)), (b_st, without_request_id(b)));

    // Wrong password and unknown email fail alike.
    let (x_st, x) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "alice@acme.test", "password": "Wrong-Password-1"}),
        None,
    )
    .await;
    let (y_st, y) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "ghost@acme.test", "password": "Wrong-Password-1"}),
        None,
    )
    .await;
    assert_eq!((x_st, y_st), (401, 401));
    assert_eq!(x["code"], "invalid_credentials");
    assert_eq!(x["code"], y["code"]);
    assert_eq!(x["detail"], y["detail"]);

    let (st, login) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "ALICE@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 200, "{login}");
    let r1 = login["refresh_token"].as_str().expect("refresh").to_owned();
    let (st, p2) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({"refresh_token": r1}),
        None,
    )
    .await;
    assert_eq!(st, 200, "{p2}");
    assert_ne!(p2["refresh_token"], login["refresh_token"]);
    assert_eq!(p2["session_id"], login["session_id"]);
    // Reuse of the first token: refused, and the whole session dies with it.
    let (st, reuse) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({"refresh_token": r1}),
        None,
    )
    .await;
    assert_eq!(st, 401);
    assert_eq!(reuse["code"], "invalid_refresh_token");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({"refresh_token": p2["refresh_token"]}),
        None,
    )
    .await;
    assert_eq!(st, 401, "the rotated token died with its session");
    let (st, _) = get(&app, "/v1/tenants/acme/me", p2["access_token"].as_str()).await;
    assert_eq!(st, 401, "access tokens of a revoked session stop at once");

    // Logout ends the session at once.
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/logout",
        json!({}),
        Some(access),
    )
    .await;
    assert_eq!(st, 204);
    let resp = app
        .client
        .get(app.url("/v1/tenants/acme/me"))
        .bearer_auth(access)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("www-authenticate").is_some());
    app.stop().await;
}

async fn password_reset_revokes_every_session(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "bob@acme.test").await;
    let before = messages_to(&app, "bob@acme.test").len();
    let (f1_st, f1) = post(
        &app,
        "/v1/tenants/acme/auth/password/forgot",
        json!({"email": "bob@acme.test"}),
        None,
    )
    .await;
    let (f2_st, f2) = post(
        &app,
        "/v1/tenants/acme/auth/password/forgot",
        json!({"email": "ghost@acme.test"}),
        None,
    )
    .await;
    assert_eq!(
        (f1_st, without_request_id(f1)),
        (f2_st, without_request_id(f2))
    );
    let token = wait_for(&app, "bob@acme.test", before, token_in).await;
    let new_password = "Another-Secret-Phrase-7";
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/password/reset",
        json!({"token": token, "new_password": new_password}),
        None,
    )
    .await;
    assert_eq!(st, 204);
    let (st, again) = post(
        &app,
        "/v1/tenants/acme/auth/password/reset",
        json!({"token": token, "new_password": "Yet-Another-Phrase-8"}),
        None,
    )
    .await;
    assert_eq!(st, 400, "{again}");
    let (st, _) = get(&app, "/v1/tenants/acme/me", pair["access_token"].as_str()).await;
    assert_eq!(st, 401);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "bob@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 401);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "bob@acme.test", "password": new_password}),
        None,
    )
    .await;
    assert_eq!(st, 200);
    // A "password changed" notice went out.
    for _ in 0..100 {
        if messages_to(&app, "bob@acme.test")
            .iter()
            .any(|m| m.to_lowercase().contains("password") && m.to_lowercase().contains("changed"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        messages_to(&app, "bob@acme.test")
            .iter()
            .any(|m| m.to_lowercase().contains("changed"))
    );
    app.stop().await;
}

async fn one_time_code_login_and_sessions(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let first = sign_up(&app, "acme", "carol@acme.test").await;
    let before = messages_to(&app, "carol@acme.test").len();
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/send",
        json!({"email": "carol@acme.test"}),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let code = wait_for(&app, "carol@acme.test", before, code_in).await;
    let (st, bad) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({"email": "carol@acme.test", "code": "000000"}),
        None,
    )
    .await;
    assert!(
        st == 400 && bad["code"] == "invalid_request" || code == "000000",
        "{bad}"
    );
    let (st, second) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({"email": "carol@acme.test", "code": code}),
        None,
    )
    .await;
    assert_eq!(st, 200, "{second}");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({"email": "carol@acme.test", "code": code}),
        None,
    )
    .await;
    assert_eq!(st, 400, "a code works once");

    let (st, list) = get(
        &app,
        "/v1/tenants/acme/me/sessions",
        first["access_token"].as_str(),
    )
    .await;
    assert_eq!(st, 200);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let other = second["session_id"].as_str().expect("sid");
    let resp = app
        .client
        .delete(app.url(&format!("/v1/tenants/acme/me/sessions/{other}")))
        .bearer_auth(first["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", second["access_token"].as_str()).await;
    assert_eq!(st, 401);
    // Someone else's (or an unknown) session is not found.
    let resp = app
        .client
        .delete(app.url(&format!(
            "/v1/tenants/acme/me/sessions/{}",
            uuid::Uuid::now_v7()
        )))
        .bearer_auth(first["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 404);
    app.stop().await;
}

async fn repeated_failures_are_throttled(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let mut limited = None;
    for i in 0..40 {
        let resp = app
            .client
            .post(app.url("/v1/tenants/acme/auth/login"))
            .json(&json!({"email": "victim@acme.test", "password": format!("guess-{i}-Xyz")}))
            .send()
            .await
            .expect("request");
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 401);
    }
    let resp = limited.expect("throttled within 40 attempts");
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "rate_limited");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_through_a_real_smtp_server() {
    let port = free_port();
    let inbox = start_smtp(port);
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(Db::Sqlite, &[("smtp_url", &url)]).await;
    app.tenant("acme").await;
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/register",
        json!({"email": "dave@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let mut code = None;
    for _ in 0..100 {
        if let Some(m) = inbox.messages().first() {
            let text = m.split("text/html").next().unwrap_or(m);
            let body = &text[text.find("quoted-printable").unwrap_or(0)..];
            code = code_in(body);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let code = code.expect("a code arrived over SMTP");
    let (st, pair) = post(
        &app,
        "/v1/tenants/acme/auth/email/verify",
        json!({"email": "dave@acme.test", "code": code}),
        None,
    )
    .await;
    assert_eq!(st, 200, "{pair}");
    app.stop().await;
}

fn header_kid(token: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let h: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    h["kid"].as_str().expect("kid").to_owned()
}

async fn profile_password_change_and_deletion(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let first = sign_up(&app, "acme", "erin@acme.test").await;
    let at = first["access_token"].as_str().expect("at").to_owned();
    let (_, other) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "erin@acme.test", "password": PASSWORD}),
        None,
    )
    .await;

    let resp = app
        .client
        .patch(app.url("/v1/tenants/acme/me"))
        .bearer_auth(&at)
        .json(&json!({"name": "  Erin E.  "}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.expect("json");
    assert_eq!(me["name"], "Erin E.");

    let new_password = "Brand-New-Phrase-42";
    let (st, wrong) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({"current_password": "nope-nope-nope", "new_password": new_password}),
        Some(&at),
    )
    .await;
    assert_eq!(st, 401, "{wrong}");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({"current_password": PASSWORD, "new_password": new_password}),
        Some(&at),
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(&at)).await;
    assert_eq!(st, 200, "the session that changed the password stays");
    let (st, _) = get(&app, "/v1/tenants/acme/me", other["access_token"].as_str()).await;
    assert_eq!(st, 401, "every other session is revoked");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "erin@acme.test", "password": new_password}),
        None,
    )
    .await;
    assert_eq!(st, 200);

    let resp = app
        .client
        .delete(app.url("/v1/tenants/acme/me"))
        .bearer_auth(&at)
        .json(&json!({"password": "not-it-at-all"}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .delete(app.url("/v1/tenants/acme/me"))
        .bearer_auth(&at)
        .json(&json!({"password": new_password}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(&at)).await;
    assert_eq!(st, 401);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "erin@acme.test", "password": new_password}),
        None,
    )
    .await;
    assert_eq!(st, 401, "the account is gone");
    app.stop().await;
}

async fn key_rotation_keeps_earlier_tokens_valid(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let before = sign_up(&app, "acme", "frank@acme.test").await;
    let old_at = before["access_token"].as_str().expect("at").to_owned();
    let old_kid = header_kid(&old_at);
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let new_kid = app.state.keys.rotate(&scope).await.expect("rotate");
    assert_ne!(new_kid, old_kid);
    let (_, jwks) = get(&app, "/v1/tenants/acme/.well-known/jwks.json", None).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert!(
        kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()),
        "{jwks}"
    );
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(&old_at)).await;
    assert_eq!(
        st, 200,
        "a token signed with the previous key still verifies"
    );
    let (_, fresh) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "frank@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(
        header_kid(fresh["access_token"].as_str().expect("at")),
        new_kid
    );
    // A second rotation retires the first key: its tokens stop verifying.
    app.state.keys.rotate(&scope).await.expect("rotate");
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(&old_at)).await;
    assert_eq!(st, 401);
    let (_, jwks) = get(&app, "/v1/tenants/acme/.well-known/jwks.json", None).await;
    assert_eq!(jwks["keys"].as_array().expect("keys").len(), 2);
    app.stop().await;
}

fn refresh_cookie(resp: &reqwest::Response) -> (String, String) {
    let set = resp.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let value = set
        .split(';')
        .next()
        .and_then(|kv| kv.strip_prefix("platform_refresh="))
        .expect("refresh cookie")
        .to_owned();
    (value, set)
}

async fn cookie_mode_needs_the_csrf_token(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "gina@acme.test").await;
    let resp = app
        .client
        .post(app.url("/v1/tenants/acme/auth/login"))
        .json(&json!({"email": "gina@acme.test", "password": PASSWORD, "cookie": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    let (cookie, set) = refresh_cookie(&resp);
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/v1/tenants/acme/auth",
        "Max-Age=",
    ] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain-http loopback: no Secure attribute: {set}"
    );
    let body: Value = resp.json().await.expect("json");
    assert!(
        body.get("refresh_token").is_none(),
        "cookie mode keeps the token out of the body"
    );
    let csrf = body["csrf_token"].as_str().expect("csrf").to_owned();

    let refresh = |cookie: &str, csrf: Option<&str>| {
        let mut req = app
            .client
            .post(app.url("/v1/tenants/acme/auth/token/refresh"))
            .header("cookie", format!("platform_refresh={cookie}"))
            .json(&json!({}));
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        req.send()
    };
    let (status, _, body) =
        crate::http_basics::problem(refresh(&cookie, None).await.expect("request")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("csrf_required")),
        "no CSRF token"
    );
    let (status, _, body) =
        crate::http_basics::problem(refresh(&cookie, Some("0badc0de")).await.expect("request"))
            .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("invalid_refresh_token")),
        "wrong CSRF token"
    );
    let resp = refresh(&cookie, Some(&csrf)).await.expect("request");
    assert_eq!(resp.status(), 200);
    let (rotated, _) = refresh_cookie(&resp);
    assert_ne!(rotated, cookie);
    let pair: Value = resp.json().await.expect("json");
    assert_eq!(
        pair["csrf_token"],
        csrf.as_str(),
        "the CSRF token belongs to the session"
    );
    // The CSRF check ran before the rotation, so the refused attempts did not burn the token;
    // the used cookie, though, is now refused (and revokes the session).
    assert_eq!(
        refresh(&cookie, Some(&csrf))
            .await
            .expect("request")
            .status(),
        401
    );

    // No token at all: 401, not 400.
    let resp = app
        .client
        .post(app.url("/v1/tenants/acme/auth/token/refresh"))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 401);

    // Logout clears the cookie.
    let (_, fresh) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "gina@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    let resp = app
        .client
        .post(app.url("/v1/tenants/acme/auth/logout"))
        .bearer_auth(fresh["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 204);
    let set = resp.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        set.starts_with("platform_refresh=;") && set.contains("Max-Age=0"),
        "{set}"
    );
    app.stop().await;
}

pub async fn set_setting(app: &TestApp, tenant: &str, key: &str, value: &str) {
    use platform::store::entities::setting;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let scope = app.state.tenants.resolve(tenant).await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    setting::Entity::delete_by_id(key.to_owned())
        .exec(&*tx)
        .await
        .expect("delete setting");
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.into()),
        value: Set(value.into()),
        updated_at: Set(chrono::Utc::now()),
    })
    .exec(&*tx)
    .await
    .expect("insert setting");
    tx.commit().await.expect("commit");
}

/// Lifts the tenant's throttling of `buckets` (so a test reaches what lies behind it).
pub async fn lift_limits(app: &TestApp, tenant: &str, buckets: &[&str]) {
    let generous = json!({ "per_minute": 10000, "burst": 10000 });
    let limits: serde_json::Map<String, Value> = buckets
        .iter()
        .map(|b| ((*b).to_owned(), generous.clone()))
        .collect();
    set_setting(
        app,
        tenant,
        "rate_limits",
        &Value::Object(limits).to_string(),
    )
    .await;
}

async fn idle_sessions_expire(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    set_setting(&app, "acme", "session_idle_secs", "1").await;
    let pair = sign_up(&app, "acme", "hank@acme.test").await;
    let (st, _) = get(&app, "/v1/tenants/acme/me", pair["access_token"].as_str()).await;
    assert_eq!(st, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let (st, _) = get(&app, "/v1/tenants/acme/me", pair["access_token"].as_str()).await;
    assert_eq!(
        st, 401,
        "an idle session ends although its access token has not expired"
    );
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({"refresh_token": pair["refresh_token"]}),
        None,
    )
    .await;
    assert_eq!(st, 401);
    app.stop().await;
}

async fn repeated_failures_lock_the_account_in_the_database(db: Db) {
    use platform::store::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "ivy@acme.test").await;
    // Nine failures already on record (spread over time, so the in-memory limiter let them by).
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(9))
        .filter(user::Column::Email.eq("ivy@acme.test"))
        .exec(&*tx)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "ivy@acme.test", "password": "Wrong-Password-1"}),
        None,
    )
    .await;
    assert_eq!(st, 401);
    // The tenth failure stored a lock: even the right password is refused for now, and the
    // answer is the same 401 as a wrong password (a distinct one would reveal the account).
    let (st, body) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "ivy@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 401);
    assert_eq!(body["code"], "invalid_credentials");
    let tx = scope.read().await.expect("read");
    let u = user::Entity::find()
        .filter(user::Column::Email.eq("ivy@acme.test"))
        .one(&*tx)
        .await
        .expect("query")
        .expect("user");
    tx.commit().await.expect("commit");
    assert_eq!(u.failed_logins, 10);
    assert!(u.locked_until.is_some_and(|t| t > chrono::Utc::now()));
    app.stop().await;
}

async fn a_tenant_can_tighten_its_throttling(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    app.tenant("globex").await;
    set_setting(
        &app,
        "acme",
        "rate_limits",
        r#"{"login_ip": {"per_minute": 1, "burst": 2}}"#,
    )
    .await;
    let attempt = |tenant: &'static str, i: usize| {
        app.client
            .post(app.url(&format!("/v1/tenants/{tenant}/auth/login")))
            .json(&json!({"email": format!("nobody{i}@x.test"), "password": "Wrong-Password-1"}))
            .send()
    };
    let mut acme = Vec::new();
    for i in 0..4 {
        acme.push(attempt("acme", i).await.expect("request").status().as_u16());
    }
    assert_eq!(
        acme,
        [401, 401, 429, 429],
        "acme allows 2 failures: the third is refused before its check"
    );
    for i in 0..6 {
        assert_eq!(
            attempt("globex", i).await.expect("request").status(),
            401,
            "globex keeps the defaults"
        );
    }
    app.stop().await;
}

/// A hash made with older (weaker) parameters is replaced by one with the current parameters
/// the next time its owner logs in.
async fn a_stale_hash_is_upgraded_at_login(db: Db) {
    use platform::{crypto::passwords::PasswordHasher, domain::Password, store::entities::user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "kim@acme.test").await;
    let weak = PasswordHasher::with_params(1024, 1, 1, 1, 4)
        .expect("weak hasher")
        .hash(&Password::parse(PASSWORD).expect("password"))
        .await
        .expect("hash");
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(Some(weak.clone())))
        .filter(user::Column::Email.eq("kim@acme.test"))
        .exec(&*tx)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "kim@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 200);
    let tx = scope.read().await.expect("read");
    let u = user::Entity::find()
        .filter(user::Column::Email.eq("kim@acme.test"))
        .one(&*tx)
        .await
        .expect("query")
        .expect("user");
    tx.commit().await.expect("commit");
    let stored = u.password_hash.expect("hash");
    assert_ne!(stored, weak);
    assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({"email": "kim@acme.test", "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(st, 200, "the upgraded hash verifies");
    app.stop().await;
}
