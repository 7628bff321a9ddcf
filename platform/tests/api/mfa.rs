//! Two-factor authentication end to end: enrolment with a QR code, the login challenge, TOTP
//! replay and skew, backup codes, emailed second factors, disabling, the tenant's policy,
//! throttling and what is stored at rest.

use base64::Engine;
use platform::crypto::totp::TotpSecret;
use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, get, post, sign_up},
    helpers::{Db, TestApp, spawn_app},
    mailbox::{code_in, messages_to, wait_for},
};

crate::both_backends!(
    enrolment_turns_mfa_on_and_login_asks_for_the_second_factor,
    a_totp_step_works_once_within_one_step_of_skew,
    backup_codes_work_once_and_regeneration_voids_the_old_set,
    an_mfa_token_is_single_use_and_bounded,
    disabling_needs_a_code_or_the_password,
    emailed_codes_are_a_second_factor_only_when_allowed,
    the_tenant_policy_restricts_unenrolled_users_to_enrolment,
    wrong_second_factors_are_throttled,
    secrets_are_sealed_and_backup_codes_hashed_at_rest,
);

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970")
}

/// Waits until at least 4 s remain in the current 30 s step, so that codes computed from
/// "now" keep the step they were computed for while the test uses them.
async fn settle_in_step() {
    let left = 30 - now() % 30;
    if left < 4 {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("b64");
    serde_json::from_slice(&raw).expect("claims")
}

fn access(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access token")
}

async fn delete(app: &TestApp, path: &str, body: Value, token: &str) -> (u16, Value) {
    crate::accounts::send(app, reqwest::Method::DELETE, path, Some(body), token).await
}

/// Starts enrolment for the holder of `token`; returns the secret.
async fn start_enrolment(app: &TestApp, token: &str) -> TotpSecret {
    let (st, en) = post(app, "/v1/tenants/acme/me/mfa/totp", json!({}), Some(token)).await;
    assert_eq!(st, 200, "{en}");
    TotpSecret::from_base32(en["secret"].as_str().expect("secret")).expect("base32 secret")
}

/// Enrols and confirms with the code of the previous step (so the current and next steps stay
/// free for the test); returns the secret and the backup codes.
async fn enrol(app: &TestApp, token: &str) -> (TotpSecret, Vec<String>) {
    settle_in_step().await;
    let secret = start_enrolment(app, token).await;
    let (st, cf) = post(
        app,
        "/v1/tenants/acme/me/mfa/totp/confirm",
        json!({ "code": secret.code_at(now() - 30) }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200, "{cf}");
    let codes = cf["backup_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

async fn login(app: &TestApp, email: &str) -> Value {
    let (st, lg) = post(
        app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": email, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{lg}");
    lg
}

async fn second_factor(app: &TestApp, challenge: &Value, factor: Value) -> (u16, Value) {
    let mut body = factor;
    body["mfa_token"] = challenge["mfa_token"].clone();
    post(app, "/v1/tenants/acme/auth/login/mfa", body, None).await
}

async fn enrolment_turns_mfa_on_and_login_asks_for_the_second_factor(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "ann@acme.test").await;
    let other = login(&app, "ann@acme.test").await;
    let token = access(&pair);

    let (st, en) = post(&app, "/v1/tenants/acme/me/mfa/totp", json!({}), Some(token)).await;
    assert_eq!(st, 200, "{en}");
    let url = en["otpauth_url"].as_str().expect("url");
    assert!(
        url.starts_with("otpauth://totp/acme:ann%40acme.test?"),
        "{url}"
    );
    assert!(url.contains("issuer=acme"), "{url}");
    let png = base64::engine::general_purpose::STANDARD
        .decode(en["qr_png"].as_str().expect("qr"))
        .expect("base64");
    assert_eq!(&png[..4], b"\x89PNG");
    let secret = TotpSecret::from_base32(en["secret"].as_str().expect("secret")).expect("b32");
    assert_eq!(secret.bytes().len(), 20, "160-bit secret");

    // Not on until confirmed: login still signs in directly.
    let (_, me) = get(&app, "/v1/tenants/acme/me", Some(token)).await;
    assert_eq!(me["mfa_enabled"], false);
    assert!(login(&app, "ann@acme.test").await["access_token"].is_string());
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/me/mfa/totp/confirm",
        json!({ "code": "000000" }),
        Some(token),
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (401, Some("invalid_mfa_code")));

    settle_in_step().await;
    let before = messages_to(&app, "ann@acme.test").len();
    let (st, cf) = post(
        &app,
        "/v1/tenants/acme/me/mfa/totp/confirm",
        json!({ "code": secret.code_at(now()) }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200, "{cf}");
    let codes = cf["backup_codes"].as_array().expect("codes");
    assert_eq!(codes.len(), 10);
    let (_, me) = get(&app, "/v1/tenants/acme/me", Some(token)).await;
    assert_eq!(me["mfa_enabled"], true, "{me}");
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(access(&other))).await;
    assert_eq!(st, 401, "enabling MFA revokes the other sessions");
    let notice = wait_for(&app, "ann@acme.test", before, |m| {
        m.contains("Two-factor authentication was enabled")
            .then(|| "ok".to_owned())
    })
    .await;
    assert_eq!(notice, "ok");
    let (st, err) = post(&app, "/v1/tenants/acme/me/mfa/totp", json!({}), Some(token)).await;
    assert_eq!(
        (st, err["code"].as_str()),
        (409, Some("mfa_already_enabled"))
    );

    let ch = login(&app, "ann@acme.test").await;
    assert_eq!(ch["mfa_required"], true, "{ch}");
    assert!(ch.get("access_token").is_none());
    assert_eq!(ch["methods"], json!(["totp", "backup_code"]));
    let (st, done) = second_factor(&app, &ch, json!({ "code": secret.code_at(now() + 30) })).await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(claims(access(&done))["amr"], json!(["pwd", "totp", "mfa"]));
    assert_eq!(done["user"]["mfa_enabled"], true);
    let (st, status) = get(&app, "/v1/tenants/acme/me/mfa", Some(access(&done))).await;
    assert_eq!(st, 200);
    assert_eq!(status["enabled"], true);
    assert_eq!(status["backup_codes_left"], 10);

    // Passwordless login asks for the second factor too, and never offers email for it.
    let before = messages_to(&app, "ann@acme.test").len();
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/send",
        json!({ "email": "ann@acme.test" }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let code = wait_for(&app, "ann@acme.test", before, code_in).await;
    let (st, ch) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({ "email": "ann@acme.test", "code": code }),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(ch["mfa_required"], true, "{ch}");
    assert_eq!(ch["methods"], json!(["totp", "backup_code"]));
    app.stop().await;
}

async fn a_totp_step_works_once_within_one_step_of_skew(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "bob@acme.test").await;
    // Confirmed with the previous step's code.
    let (secret, _) = enrol(&app, access(&pair)).await;
    let t = now();

    // The confirming step (t - 30) is used: refused.
    let ch = login(&app, "bob@acme.test").await;
    let (st, _) = second_factor(&app, &ch, json!({ "code": secret.code_at(t - 30) })).await;
    assert_eq!(st, 401, "a step used at confirmation is refused");
    // Two steps away: refused.
    let (st, _) = second_factor(&app, &ch, json!({ "code": secret.code_at(t + 60) })).await;
    assert_eq!(st, 401, "two steps ahead is outside the skew");
    // The current step works once…
    let (st, _) = second_factor(&app, &ch, json!({ "code": secret.code_at(t) })).await;
    assert_eq!(st, 200);
    let ch = login(&app, "bob@acme.test").await;
    let (st, err) = second_factor(&app, &ch, json!({ "code": secret.code_at(t) })).await;
    assert_eq!(
        (st, err["code"].as_str()),
        (401, Some("invalid_mfa_code")),
        "replay"
    );
    // …and once it is used, an earlier step is refused even though it is within the skew.
    let (st, _) = second_factor(&app, &ch, json!({ "code": secret.code_at(t + 30) })).await;
    assert_eq!(st, 200, "one step ahead is within the skew");
    let ch = login(&app, "bob@acme.test").await;
    let (st, _) = second_factor(&app, &ch, json!({ "code": secret.code_at(t) })).await;
    assert_eq!(st, 401, "an older step than the last used is refused");
    app.stop().await;
}

async fn backup_codes_work_once_and_regeneration_voids_the_old_set(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "cy@acme.test").await;
    let (secret, codes) = enrol(&app, access(&pair)).await;
    let ch = login(&app, "cy@acme.test").await;
    // Case, spaces and hyphens do not matter.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let (st, done) = second_factor(&app, &ch, json!({ "backup_code": typed })).await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(
        claims(access(&done))["amr"],
        json!(["pwd", "backup_code", "mfa"])
    );
    let ch = login(&app, "cy@acme.test").await;
    let (st, _) = second_factor(&app, &ch, json!({ "backup_code": codes[0] })).await;
    assert_eq!(st, 401, "a backup code works once");

    let token = access(&done);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/mfa/backup-codes",
        json!({ "code": "123456" }),
        Some(token),
    )
    .await;
    assert_eq!(st, 401, "regenerating needs a current code");
    let (st, fresh) = post(
        &app,
        "/v1/tenants/acme/me/mfa/backup-codes",
        json!({ "code": secret.code_at(now()) }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200, "{fresh}");
    let fresh: Vec<String> = fresh["backup_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    let ch = login(&app, "cy@acme.test").await;
    let (st, _) = second_factor(&app, &ch, json!({ "backup_code": codes[1] })).await;
    assert_eq!(st, 401, "the old set stopped working");
    let (st, _) = second_factor(&app, &ch, json!({ "backup_code": fresh[1] })).await;
    assert_eq!(st, 200);
    let (_, status) = get(&app, "/v1/tenants/acme/me/mfa", Some(token)).await;
    assert_eq!(status["backup_codes_left"], 9);
    app.stop().await;
}

async fn an_mfa_token_is_single_use_and_bounded(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "dee@acme.test").await;
    let (secret, codes) = enrol(&app, access(&pair)).await;

    let ch = login(&app, "dee@acme.test").await;
    let (st, _) = second_factor(&app, &ch, json!({ "backup_code": codes[0] })).await;
    assert_eq!(st, 200);
    let (st, err) = second_factor(&app, &ch, json!({ "backup_code": codes[1] })).await;
    assert_eq!(
        (st, err["code"].as_str()),
        (401, Some("invalid_mfa_token")),
        "used"
    );

    // Five wrong codes void the token: then even a right one fails.
    let ch = login(&app, "dee@acme.test").await;
    for _ in 0..4 {
        let (st, _) = second_factor(&app, &ch, json!({ "backup_code": "aaaaa-aaaaa" })).await;
        assert_eq!(st, 401);
    }
    let (st, _) = second_factor(&app, &ch, json!({ "code": "000000" })).await;
    assert_eq!(st, 401);
    let (st, err) = second_factor(&app, &ch, json!({ "code": secret.code_at(now()) })).await;
    assert!(
        st == 401 || st == 429,
        "the sixth attempt is refused: {st} {err}"
    );

    // Unknown tokens and malformed bodies.
    let (st, err) = second_factor(
        &app,
        &json!({ "mfa_token": "nope" }),
        json!({ "code": "123456" }),
    )
    .await;
    assert_eq!(st, 401, "{err}");
    let (st, err) = second_factor(
        &app,
        &ch,
        json!({ "code": "123456", "backup_code": codes[2] }),
    )
    .await;
    assert_eq!((st, err["status"].as_u64()), (400, Some(400)), "{err}");
    // A token of another tenant does not exist here.
    app.tenant("globex").await;
    let ch = login(&app, "dee@acme.test").await;
    let (st, _) = post(
        &app,
        "/v1/tenants/globex/auth/login/mfa",
        json!({ "mfa_token": ch["mfa_token"], "backup_code": codes[3] }),
        None,
    )
    .await;
    assert_eq!(st, 401, "bound to its tenant");
    app.stop().await;
}

async fn disabling_needs_a_code_or_the_password(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "eve@acme.test").await;
    let (secret, codes) = enrol(&app, access(&pair)).await;
    let token = access(&pair);
    let ch = login(&app, "eve@acme.test").await;
    let (_, other) = second_factor(&app, &ch, json!({ "backup_code": codes[0] })).await;

    let path = "/v1/tenants/acme/me/mfa/totp";
    let (st, _) = delete(&app, path, json!({}), token).await;
    assert_eq!(st, 400, "a proof is needed");
    let (st, _) = delete(&app, path, json!({ "password": "Wrong-Password-0" }), token).await;
    assert_eq!(st, 401);
    let (st, _) = delete(&app, path, json!({ "code": "000000" }), token).await;
    assert_eq!(st, 401);
    let before = messages_to(&app, "eve@acme.test").len();
    let (st, _) = delete(&app, path, json!({ "code": secret.code_at(now()) }), token).await;
    assert_eq!(st, 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(access(&other))).await;
    assert_eq!(st, 401, "disabling revokes the other sessions");
    let (_, me) = get(&app, "/v1/tenants/acme/me", Some(token)).await;
    assert_eq!(me["mfa_enabled"], false);
    wait_for(&app, "eve@acme.test", before, |m| {
        m.contains("Two-factor authentication was disabled")
            .then(|| "ok".to_owned())
    })
    .await;
    assert!(login(&app, "eve@acme.test").await["access_token"].is_string());
    let (st, err) = delete(&app, path, json!({ "password": PASSWORD }), token).await;
    assert_eq!((st, err["code"].as_str()), (409, Some("mfa_not_enabled")));

    // The password also works.
    let (secret, _) = enrol(&app, token).await;
    let _ = secret;
    let (st, _) = delete(&app, path, json!({ "password": PASSWORD }), token).await;
    assert_eq!(st, 204);
    app.stop().await;
}

async fn emailed_codes_are_a_second_factor_only_when_allowed(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "fay@acme.test").await;
    enrol(&app, access(&pair)).await;
    let ch = login(&app, "fay@acme.test").await;
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/auth/login/mfa/email",
        json!({ "mfa_token": ch["mfa_token"] }),
        None,
    )
    .await;
    assert_eq!(
        (st, err["code"].as_str()),
        (403, Some("mfa_method_not_allowed"))
    );

    crate::accounts::set_setting(&app, "acme", "mfa_email_otp", "true").await;
    let ch = login(&app, "fay@acme.test").await;
    assert_eq!(ch["methods"], json!(["totp", "backup_code", "email_otp"]));
    let before = messages_to(&app, "fay@acme.test").len();
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login/mfa/email",
        json!({ "mfa_token": ch["mfa_token"] }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let code = wait_for(&app, "fay@acme.test", before, code_in).await;
    let (st, _) = second_factor(&app, &ch, json!({ "email_code": "000000" })).await;
    assert_eq!(st, 401);
    let (st, done) = second_factor(&app, &ch, json!({ "email_code": code })).await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(
        claims(access(&done))["amr"],
        json!(["pwd", "email_otp", "mfa"])
    );
    app.stop().await;
}

async fn the_tenant_policy_restricts_unenrolled_users_to_enrolment(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    crate::accounts::set_setting(&app, "acme", "mfa_policy", r#""required""#).await;
    let pair = sign_up(&app, "acme", "gus@acme.test").await;
    assert_eq!(pair["mfa_enrollment_required"], true, "{pair}");
    let token = access(&pair);
    let c = claims(token);
    assert_eq!(c["mfa_enrollment_required"], true);
    assert_eq!(
        c["token_use"], "mfa_enrollment",
        "other services checking token_use == access refuse it"
    );
    assert_eq!(c["permissions"], json!([]));
    for path in ["/v1/tenants/acme/me", "/v1/tenants/acme/me/sessions"] {
        let (st, err) = get(&app, path, Some(token)).await;
        assert_eq!(
            (st, err["code"].as_str()),
            (403, Some("mfa_enrollment_required")),
            "{path}"
        );
    }
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({ "current_password": PASSWORD, "new_password": "Another-Password-77" }),
        Some(token),
    )
    .await;
    assert_eq!(st, 403);

    let (_, _) = enrol(&app, token).await;
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(token)).await;
    assert_eq!(st, 403, "the restricted token stays restricted");
    let (st, fresh) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({ "refresh_token": pair["refresh_token"] }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{fresh}");
    assert!(fresh.get("mfa_enrollment_required").is_none(), "{fresh}");
    let (st, me) = get(&app, "/v1/tenants/acme/me", Some(access(&fresh))).await;
    assert_eq!(st, 200);
    assert_eq!(me["mfa_enabled"], true);
    let (st, _) = post(&app, "/v1/tenants/acme/auth/logout", json!({}), Some(token)).await;
    assert_eq!(st, 204, "logout works with a restricted token");

    // Only owners and admins under `required_for_admins`.
    crate::accounts::set_setting(&app, "acme", "mfa_policy", r#""required_for_admins""#).await;
    let member = sign_up(&app, "acme", "hal@acme.test").await;
    assert!(member.get("mfa_enrollment_required").is_none(), "{member}");
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(access(&member))).await;
    assert_eq!(st, 200);
    let admin = sign_up(&app, "acme", "ida@acme.test").await;
    set_role(&app, "ida@acme.test", "admin").await;
    let (st, again) = post(
        &app,
        "/v1/tenants/acme/auth/token/refresh",
        json!({ "refresh_token": admin["refresh_token"] }),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(again["mfa_enrollment_required"], true, "{again}");
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(access(&again))).await;
    assert_eq!(st, 403);
    app.stop().await;
}

async fn set_role(app: &TestApp, email: &str, role: &str) {
    use platform::store::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role))
        .filter(user::Column::Email.eq(email))
        .exec(&*tx)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
}

async fn wrong_second_factors_are_throttled(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "jo@acme.test").await;
    let (secret, _) = enrol(&app, access(&pair)).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let ch = login(&app, "jo@acme.test").await;
        for _ in 0..3 {
            statuses.push(
                second_factor(&app, &ch, json!({ "code": "000000" }))
                    .await
                    .0,
            );
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    // The right code is refused too while blocked (no oracle for guesses).
    let ch = login(&app, "jo@acme.test").await;
    let resp = app
        .client
        .post(app.url("/v1/tenants/acme/auth/login/mfa"))
        .json(&json!({ "mfa_token": ch["mfa_token"], "code": secret.code_at(now()) }))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));

    // Confirming enrolment is throttled the same way.
    let other = sign_up(&app, "acme", "kim@acme.test").await;
    start_enrolment(&app, access(&other)).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (st, _) = post(
            &app,
            "/v1/tenants/acme/me/mfa/totp/confirm",
            json!({ "code": "000000" }),
            Some(access(&other)),
        )
        .await;
        statuses.push(st);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    app.stop().await;
}

async fn secrets_are_sealed_and_backup_codes_hashed_at_rest(db: Db) {
    use platform::store::entities::{audit_event, mfa_backup_code, mfa_totp};
    use sea_orm::EntityTrait;
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "lee@acme.test").await;
    let (secret, codes) = enrol(&app, access(&pair)).await;
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("tx");
    let row = mfa_totp::Entity::find()
        .one(&*tx)
        .await
        .expect("query")
        .expect("row");
    let stored = mfa_backup_code::Entity::find()
        .all(&*tx)
        .await
        .expect("query");
    let events = audit_event::Entity::find().all(&*tx).await.expect("query");
    tx.commit().await.expect("commit");
    assert!(row.secret_sealed.starts_with("v1."));
    assert!(!row.secret_sealed.contains(&secret.to_base32()));
    assert_eq!(stored.len(), 10);
    for code in &codes {
        let plain = code.replace('-', "");
        assert!(stored.iter().all(|s| !s.code_hash.contains(&plain)));
    }
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in ["mfa.enrollment_started", "mfa.enabled"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // Nothing secret reaches the audit log.
    let all = format!("{events:?}");
    assert!(!all.contains(&secret.to_base32()));
    assert!(codes.iter().all(|c| !all.contains(c.as_str())));

    // Deleting the account erases its second factors.
    let (st, _) = delete(
        &app,
        "/v1/tenants/acme/me",
        json!({ "password": PASSWORD }),
        access(&pair),
    )
    .await;
    assert_eq!(st, 204);
    let tx = scope.read().await.expect("tx");
    let left = (
        mfa_totp::Entity::find()
            .all(&*tx)
            .await
            .expect("query")
            .len(),
        mfa_backup_code::Entity::find()
            .all(&*tx)
            .await
            .expect("query")
            .len(),
    );
    tx.commit().await.expect("commit");
    assert_eq!(left, (0, 0));
    app.stop().await;
}
