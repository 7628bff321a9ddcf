//! Operators end to end: TOTP-only sign-in, token separation from tenants, support actions
//! landing in both audit logs, tenant lifecycle, and the customer search.

use platform::crypto::totp::TotpSecret;
use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, get, post, send, sign_up},
    helpers::{Db, TestApp, spawn_app},
    mailbox::{messages_to, token_in, wait_for},
    members::tenant_with_owner,
};

crate::both_backends!(
    operators_sign_in_with_totp_and_stay_on_their_side,
    support_actions_reach_the_tenant_and_both_logs,
    admin_operators_run_the_tenant_lifecycle,
    a_support_update_applies_whole_or_not_at_all,
);

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970")
}

/// Creates an operator and signs them in; returns the pair and the TOTP secret.
pub async fn operator(app: &TestApp, email: &str, role: &str) -> (Value, TotpSecret) {
    let created = platform::operators::create(&app.state.console, email, role)
        .await
        .expect("operator created");
    let secret = TotpSecret::from_base32(&created.totp_secret).expect("base32");
    let (st, ch) = post(
        app,
        "/v1/admin/auth/login",
        json!({ "email": email, "password": created.password }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{ch}");
    assert_eq!(ch["mfa_required"], true);
    let (st, pair) = post(
        app,
        "/v1/admin/auth/login/mfa",
        json!({ "mfa_token": ch["mfa_token"], "code": secret.code_at(now()) }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{pair}");
    (pair, secret)
}

fn at(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("token")
}

async fn operators_sign_in_with_totp_and_stay_on_their_side(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let created = platform::operators::create(&app.state.console, "sam@platform.test", "support")
        .await
        .expect("created");
    let secret = TotpSecret::from_base32(&created.totp_secret).expect("b32");
    // Wrong password and unknown email alike.
    for (email, pw) in [
        ("sam@platform.test", "Wrong-Password-1"),
        ("nobody@platform.test", "Wrong-Password-1"),
    ] {
        let (st, err) = post(
            &app,
            "/v1/admin/auth/login",
            json!({ "email": email, "password": pw }),
            None,
        )
        .await;
        assert_eq!(
            (st, err["code"].as_str()),
            (401, Some("invalid_credentials"))
        );
    }
    let (_, ch) = post(
        &app,
        "/v1/admin/auth/login",
        json!({ "email": "sam@platform.test", "password": created.password }),
        None,
    )
    .await;
    assert!(ch.get("access_token").is_none());
    let (st, _) = post(
        &app,
        "/v1/admin/auth/login/mfa",
        json!({ "mfa_token": ch["mfa_token"], "code": "000000" }),
        None,
    )
    .await;
    assert_eq!(st, 401);
    let (st, pair) = post(
        &app,
        "/v1/admin/auth/login/mfa",
        json!({ "mfa_token": ch["mfa_token"], "code": secret.code_at(now()) }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{pair}");
    assert_eq!(pair["user"]["role"], "support");
    let ot = at(&pair);
    assert_eq!(get(&app, "/v1/admin/tenants", Some(ot)).await.0, 200);
    // Operator tokens are refused on tenant paths; tenant tokens on operator paths.
    assert_eq!(get(&app, "/v1/tenants/acme/me", Some(ot)).await.0, 401);
    let user = sign_up(&app, "acme", "ann@acme.test").await;
    assert_eq!(get(&app, "/v1/admin/tenants", Some(at(&user))).await.0, 401);
    // Support operators cannot run the lifecycle.
    let (st, err) = post(
        &app,
        "/v1/admin/tenants",
        json!({ "slug": "nope-co" }),
        Some(ot),
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (403, Some("forbidden")));
    // Refresh rotates; a reused refresh token ends the session.
    let (st, fresh) = post(
        &app,
        "/v1/admin/auth/token/refresh",
        json!({ "refresh_token": pair["refresh_token"] }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{fresh}");
    let (st, _) = post(
        &app,
        "/v1/admin/auth/token/refresh",
        json!({ "refresh_token": pair["refresh_token"] }),
        None,
    )
    .await;
    assert_eq!(st, 401);
    assert_eq!(
        get(&app, "/v1/admin/tenants", Some(at(&fresh))).await.0,
        401,
        "session revoked"
    );
    app.stop().await;
}

async fn a_support_update_applies_whole_or_not_at_all(db: Db) {
    let app = spawn_app(db).await;
    tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let member = sign_up(&app, "acme", "vic@acme.test").await;
    let vid = member["user"]["id"].as_str().expect("id").to_owned();
    let (pair, _) = operator(&app, "ada@platform.test", "admin").await;
    let path = format!("/v1/admin/tenants/acme/members/{vid}");
    let mails = messages_to(&app, "vic@acme.test").len();
    // Disabling applies before the forced reset, which then meets a disabled member: the
    // whole update is refused, and the member is still active with their session.
    let (st, err) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(json!({ "status": "disabled", "role": "viewer", "force_password_reset": true, "reason": "t" })),
        at(&pair),
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (409, Some("member_not_active")));
    let (_, list) = get(
        &app,
        "/v1/admin/tenants/acme/members?q=vic",
        Some(at(&pair)),
    )
    .await;
    let u = &list["items"][0];
    assert_eq!(
        (u["status"].as_str(), u["role"].as_str()),
        (Some("active"), Some("member"))
    );
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(at(&member))).await.0,
        200
    );
    assert_eq!(
        messages_to(&app, "vic@acme.test").len(),
        mails,
        "no reset email"
    );
    app.stop().await;
}

async fn support_actions_reach_the_tenant_and_both_logs(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let victim = sign_up(&app, "acme", "vic@acme.test").await;
    let vid = victim["user"]["id"].as_str().expect("id").to_owned();
    let (pair, _) = operator(&app, "sam@platform.test", "support").await;
    let ot = at(&pair);

    let (st, members) = get(&app, "/v1/admin/tenants/acme/members?q=vic", Some(ot)).await;
    assert_eq!(st, 200);
    assert_eq!(members["items"][0]["id"], vid.as_str());
    let (_, sessions) = get(
        &app,
        &format!("/v1/admin/tenants/acme/sessions?user_id={vid}"),
        Some(ot),
    )
    .await;
    assert!(
        sessions
            .to_string()
            .contains(victim["session_id"].as_str().expect("sid"))
    );
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!(
            "/v1/admin/tenants/acme/sessions/{}?reason=ticket%2042",
            victim["session_id"].as_str().expect("sid")
        ),
        None,
        ot,
    )
    .await;
    assert_eq!(st, 204);
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(at(&victim))).await.0,
        401
    );

    // Support cannot change roles; it can force a password reset.
    let path = format!("/v1/admin/tenants/acme/members/{vid}");
    let (st, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(json!({ "role": "admin" })),
        ot,
    )
    .await;
    assert_eq!(st, 403);
    let before = messages_to(&app, "vic@acme.test").len();
    let (st, u) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(json!({ "force_password_reset": true, "reset_mfa": true, "reason": "lost phone" })),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{u}");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": "vic@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 401, "the old password is gone");
    let token = wait_for(&app, "vic@acme.test", before, token_in).await;
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/password/reset",
        json!({ "token": token, "new_password": "Brand-New-Password-7" }),
        None,
    )
    .await;
    assert_eq!(st, 204);

    // Both logs record the operator and the reason.
    let (_, ev) = get(
        &app,
        "/v1/tenants/acme/audit-events?action=member.password_reset_forced",
        Some(at(&owner)),
    )
    .await;
    let e = &ev["items"][0];
    assert_eq!(e["actor_type"], "operator");
    assert_eq!(e["actor_id"], pair["user"]["id"]);
    assert_eq!(e["details"]["reason"], "lost phone");
    let (_, revoked) = get(
        &app,
        "/v1/admin/tenants/acme/audit-events?action=session.revoked",
        Some(ot),
    )
    .await;
    assert_eq!(revoked["items"][0]["details"]["reason"], "ticket 42");
    let (st, mine) = get(&app, "/v1/admin/audit-events?action=session.", Some(ot)).await;
    assert_eq!(st, 200);
    assert_eq!(mine["items"][0]["reason"], "ticket 42");
    assert_eq!(mine["items"][0]["operator_id"], pair["user"]["id"]);
    app.stop().await;
}

async fn admin_operators_run_the_tenant_lifecycle(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "pat@acme.test").await;
    let (pair, _) = operator(&app, "ada@platform.test", "admin").await;
    let ot = at(&pair);
    let (st, t) = post(
        &app,
        "/v1/admin/tenants",
        json!({ "slug": "initech", "name": "Initech", "owner_email": "bill@initech.test", "reason": "signed" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["slug"], "initech");
    let token = wait_for(&app, "bill@initech.test", 0, token_in).await;
    let (st, owner) = post(
        &app,
        "/v1/tenants/initech/auth/invitations/accept",
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!((st, owner["user"]["role"].as_str()), (200, Some("owner")));
    let (st, _) = post(
        &app,
        "/v1/admin/tenants",
        json!({ "slug": "initech" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 409);
    let (_, list) = get(&app, "/v1/admin/tenants?q=init", Some(ot)).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);

    // A bad status (or name) changes nothing, not even the settings sent with it.
    for bad in [
        json!({ "status": "paused", "settings": { "access_token_ttl_secs": 600 } }),
        json!({ "name": "  ", "settings": { "access_token_ttl_secs": 600 } }),
    ] {
        let (st, err) = send(
            &app,
            reqwest::Method::PATCH,
            "/v1/admin/tenants/initech",
            Some(bad),
            ot,
        )
        .await;
        assert_eq!(st, 400, "{err}");
        let (_, d) = get(&app, "/v1/admin/tenants/initech", Some(ot)).await;
        assert_eq!(d["settings"]["access_token_ttl_secs"], 900, "{d}");
    }

    // Suspend, rename, settings, resume.
    let (st, d) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/admin/tenants/initech",
        Some(json!({ "status": "suspended", "name": "Initech Corp", "settings": { "access_token_ttl_secs": 300 } })),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["tenant"]["status"], "suspended");
    assert_eq!(d["tenant"]["name"], "Initech Corp");
    assert_eq!(d["settings"]["access_token_ttl_secs"], 300);
    assert_eq!(
        get(&app, "/v1/tenants/initech/me", Some(at(&owner)))
            .await
            .0,
        403
    );
    let (_, d) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/admin/tenants/initech",
        Some(json!({ "status": "active" })),
        ot,
    )
    .await;
    assert_eq!(d["tenant"]["status"], "active");
    assert_eq!(
        get(&app, "/v1/tenants/initech/me", Some(at(&owner)))
            .await
            .0,
        200
    );

    // Customers across tenants.
    let (st, found) = get(&app, "/v1/admin/customers?email=pat%40acme.test", Some(ot)).await;
    assert_eq!(st, 200);
    assert_eq!(found["items"][0]["tenant"]["slug"], "acme");
    sign_up(&app, "initech", "pat@initech.test").await;
    let (_, found) = get(&app, "/v1/admin/customers?email=pat%40", Some(ot)).await;
    assert_eq!(
        found["items"].as_array().expect("items").len(),
        2,
        "{found}"
    );
    assert_eq!(found["complete"], true);
    // The start of an address, not any part of it.
    let (_, found) = get(&app, "/v1/admin/customers?email=acme.test", Some(ot)).await;
    assert_eq!(
        found["items"].as_array().expect("items").len(),
        0,
        "{found}"
    );
    assert_eq!(
        get(&app, "/v1/admin/customers?email=ab", Some(ot)).await.0,
        400
    );

    // Deletion needs the slug again.
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/admin/tenants/initech?confirm=acme",
        None,
        ot,
    )
    .await;
    assert_eq!(st, 400);
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/admin/tenants/initech?confirm=initech",
        None,
        ot,
    )
    .await;
    assert_eq!(st, 204);
    assert_eq!(
        get(&app, "/v1/tenants/initech/me", Some(at(&owner)))
            .await
            .0,
        404
    );
    let (_, ev) = get(&app, "/v1/admin/audit-events?action=tenant.", Some(ot)).await;
    let actions: Vec<&str> = ev["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    for a in [
        "tenant.created",
        "tenant.suspended",
        "tenant.resumed",
        "tenant.renamed",
        "tenant.deleted",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    app.stop().await;
}
