//! Tenant administration end to end: invitations, members, roles and their permissions, tenant
//! sessions, settings, and the audit log with its hash chain (including `platform audit
//! verify` catching an edited and a deleted row).

use platform::domain::EmailAddress;
use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, get, post, send, sign_up},
    helpers::{Db, TestApp, spawn_app},
    mailbox::{code_in, messages_to, token_in, wait_for},
};

crate::both_backends!(
    invitations_bring_members_in_with_their_role,
    members_are_listed_searched_and_managed,
    the_last_owner_stays,
    tenant_sessions_can_be_listed_and_revoked,
    settings_are_validated_and_apply_at_once,
    custom_roles_grant_their_permissions,
    email_branding_and_template_overrides_apply,
    the_audit_log_filters_and_pages,
    audit_verify_names_an_edited_or_deleted_row,
    retention_prunes_behind_a_signed_checkpoint,
);

async fn patch(app: &TestApp, path: &str, body: Value, token: &str) -> (u16, Value) {
    send(app, reqwest::Method::PATCH, path, Some(body), token).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    send(app, reqwest::Method::DELETE, path, None, token).await
}

fn at(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access token")
}

/// Provisions `slug` with `email` as its owner (invited like `tenant create --owner`), signed in.
pub async fn tenant_with_owner(app: &TestApp, slug: &str, email: &str) -> Value {
    let t = app.tenant(slug).await;
    let scope = app.state.tenants.scope(&t);
    let mut tx = scope.begin().await.expect("begin");
    platform::tenants::invitations::invite(
        &mut tx,
        &app.state.mailer,
        &t,
        &EmailAddress::parse(email).expect("email"),
        &platform::roles::Role::Owner,
        None,
    )
    .await
    .expect("invite");
    tx.commit().await.expect("commit");
    accept(app, slug, email, 0).await
}

/// Accepts the newest invitation mailed to `email` after the first `after` messages.
async fn accept(app: &TestApp, slug: &str, email: &str, after: usize) -> Value {
    let token = wait_for(app, email, after, token_in).await;
    let (st, pair) = post(
        app,
        &format!("/v1/tenants/{slug}/auth/invitations/accept"),
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{pair}");
    pair
}

/// Invites `email` as `role` into acme with `token` and accepts it.
async fn join(app: &TestApp, token: &str, email: &str, role: &str) -> Value {
    let before = messages_to(app, email).len();
    let (st, inv) = post(
        app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": email, "role": role }),
        Some(token),
    )
    .await;
    assert_eq!(st, 201, "{inv}");
    accept(app, "acme", email, before).await
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("claims")
}

async fn invitations_bring_members_in_with_their_role(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    assert_eq!(claims(ot)["role"], "owner");
    assert_eq!(owner["user"]["email_verified"], true);

    let before = messages_to(&app, "vic@acme.test").len();
    let (st, inv) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "Vic@Acme.test", "role": "viewer" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 201, "{inv}");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["email"], "vic@acme.test");
    let first = wait_for(&app, "vic@acme.test", before, token_in).await;
    // Resending voids the first link.
    let (st, _) = post(
        &app,
        &format!(
            "/v1/tenants/acme/members/invitations/{}/resend",
            inv["id"].as_str().expect("id")
        ),
        json!({}),
        Some(ot),
    )
    .await;
    assert_eq!(st, 200);
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/auth/invitations/accept",
        json!({ "token": first, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(
        (st, err["code"].as_str()),
        (401, Some("invalid_invitation"))
    );
    let second = wait_for(&app, "vic@acme.test", before + 1, token_in).await;
    assert_ne!(first, second);
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/auth/invitations/accept",
        json!({ "token": second, "password": "password1" }),
        None,
    )
    .await;
    assert_eq!(st, 400, "the password policy applies: {err}");
    let (st, viewer) = post(
        &app,
        "/v1/tenants/acme/auth/invitations/accept",
        json!({ "token": second, "password": PASSWORD, "name": "Vic" }),
        None,
    )
    .await;
    assert_eq!(st, 200, "{viewer}");
    assert_eq!(viewer["user"]["role"], "viewer");
    assert_eq!(viewer["user"]["name"], "Vic");
    let vt = at(&viewer);
    assert_eq!(
        claims(vt)["permissions"],
        json!(["members:read", "sessions:read", "settings:read"])
    );
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/invitations/accept",
        json!({ "token": second, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 401, "an invitation works once");

    // A viewer reads members but neither invites nor reads the audit log.
    let (st, _) = get(&app, "/v1/tenants/acme/members", Some(vt)).await;
    assert_eq!(st, 200);
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "x@acme.test", "role": "member" }),
        Some(vt),
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (403, Some("forbidden")));
    let (st, _) = get(&app, "/v1/tenants/acme/audit-events", Some(vt)).await;
    assert_eq!(st, 403);

    // Existing members, unknown roles, revocation.
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "vic@acme.test", "role": "member" }),
        Some(ot),
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (409, Some("already_member")));
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "z@acme.test", "role": "emperor" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 400);
    let before = messages_to(&app, "rita@acme.test").len();
    let (_, inv) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "rita@acme.test", "role": "member" }),
        Some(ot),
    )
    .await;
    let token = wait_for(&app, "rita@acme.test", before, token_in).await;
    let (st, list) = get(&app, "/v1/tenants/acme/members/invitations", Some(ot)).await;
    assert_eq!(st, 200);
    assert!(list["items"].to_string().contains("rita@acme.test"));
    let (st, _) = delete(
        &app,
        &format!(
            "/v1/tenants/acme/members/invitations/{}",
            inv["id"].as_str().expect("id")
        ),
        ot,
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/invitations/accept",
        json!({ "token": token, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 401, "a revoked invitation is dead");
    let (_, all) = get(
        &app,
        "/v1/tenants/acme/members/invitations?status=all",
        Some(ot),
    )
    .await;
    let statuses: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().expect("status"))
        .collect();
    assert!(
        statuses.contains(&"accepted") && statuses.contains(&"revoked"),
        "{statuses:?}"
    );

    // Only owners invite owners.
    let admin = join(&app, ot, "ada@acme.test", "admin").await;
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "own2@acme.test", "role": "owner" }),
        Some(at(&admin)),
    )
    .await;
    assert_eq!(st, 403);
    app.stop().await;
}

async fn members_are_listed_searched_and_managed(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let bob = join(&app, ot, "bob@acme.test", "member").await;
    join(&app, ot, "bea@acme.test", "viewer").await;
    sign_up(&app, "acme", "self@acme.test").await;

    let (st, page) = get(&app, "/v1/tenants/acme/members?limit=2", Some(ot)).await;
    assert_eq!(st, 200);
    assert_eq!(page["items"].as_array().expect("items").len(), 2);
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let (_, rest) = get(
        &app,
        &format!("/v1/tenants/acme/members?limit=2&cursor={cursor}"),
        Some(ot),
    )
    .await;
    assert_eq!(rest["items"].as_array().expect("items").len(), 2);
    assert!(rest.get("next_cursor").is_none(), "{rest}");
    let (_, found) = get(&app, "/v1/tenants/acme/members?q=BE", Some(ot)).await;
    let emails: Vec<&str> = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, ["bea@acme.test"]);
    let (_, viewers) = get(&app, "/v1/tenants/acme/members?role=viewer", Some(ot)).await;
    assert_eq!(viewers["items"].as_array().expect("items").len(), 1);
    let (_, pct) = get(&app, "/v1/tenants/acme/members?q=%25", Some(ot)).await;
    assert_eq!(
        pct["items"].as_array().expect("items").len(),
        0,
        "% is literal"
    );
    let (st, _) = get(&app, "/v1/tenants/acme/members?status=weird", Some(ot)).await;
    assert_eq!(st, 400);

    // A role change applies to the member's next request, not only their next token.
    let bob_id = bob["user"]["id"].as_str().expect("id").to_owned();
    let bt = at(&bob);
    let (st, _) = get(&app, "/v1/tenants/acme/audit-events", Some(bt)).await;
    assert_eq!(st, 403);
    let (st, u) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{bob_id}"),
        json!({ "role": "admin" }),
        ot,
    )
    .await;
    assert_eq!((st, u["role"].as_str()), (200, Some("admin")));
    let (st, _) = get(&app, "/v1/tenants/acme/audit-events", Some(bt)).await;
    assert_eq!(st, 200, "the new role counts at once");

    // Disabling revokes every session and blocks login; enabling lets them back.
    let (st, u) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{bob_id}"),
        json!({ "status": "disabled" }),
        ot,
    )
    .await;
    assert_eq!((st, u["status"].as_str()), (200, Some("disabled")));
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(bt)).await;
    assert_eq!(st, 401);
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": "bob@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{bob_id}"),
        json!({ "status": "active" }),
        ot,
    )
    .await;
    assert_eq!(st, 200);
    let (st, again) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": "bob@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 200);

    // Removal: the member's tokens stop and they are gone.
    let (st, _) = delete(&app, &format!("/v1/tenants/acme/members/{bob_id}"), ot).await;
    assert_eq!(st, 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(at(&again))).await;
    assert_eq!(st, 401);
    let (st, _) = get(
        &app,
        &format!("/v1/tenants/acme/members/{bob_id}"),
        Some(ot),
    )
    .await;
    assert_eq!(st, 404);
    let (st, _) = get(&app, "/v1/tenants/acme/members/not-a-uuid", Some(ot)).await;
    assert_eq!(st, 404);
    app.stop().await;
}

async fn the_last_owner_stays(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let oid = owner["user"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/tenants/acme/members/{oid}");
    for body in [json!({ "role": "admin" }), json!({ "status": "disabled" })] {
        let (st, err) = patch(&app, &path, body, ot).await;
        assert_eq!((st, err["code"].as_str()), (409, Some("last_owner")));
    }
    let (st, _) = delete(&app, &path, ot).await;
    assert_eq!(st, 409);
    // An admin cannot touch an owner at all.
    let admin = join(&app, ot, "ada@acme.test", "admin").await;
    let (st, _) = patch(&app, &path, json!({ "role": "member" }), at(&admin)).await;
    assert_eq!(st, 403);
    let aid = admin["user"]["id"].as_str().expect("id").to_owned();
    let (st, _) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{aid}"),
        json!({ "role": "owner" }),
        at(&admin),
    )
    .await;
    assert_eq!(st, 403, "an admin cannot make themselves owner");
    // With a second owner, the first may step down.
    let (st, _) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{aid}"),
        json!({ "role": "owner" }),
        ot,
    )
    .await;
    assert_eq!(st, 200);
    let (st, _) = patch(&app, &path, json!({ "role": "admin" }), ot).await;
    assert_eq!(st, 200);
    app.stop().await;
}

async fn tenant_sessions_can_be_listed_and_revoked(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let mem = join(&app, ot, "max@acme.test", "member").await;
    let mid = mem["user"]["id"].as_str().expect("id").to_owned();
    let (st, _) = get(&app, "/v1/tenants/acme/sessions", Some(at(&mem))).await;
    assert_eq!(st, 403, "members lack sessions:read");
    let (st, page) = get(&app, "/v1/tenants/acme/sessions", Some(ot)).await;
    assert_eq!(st, 200);
    assert!(
        page["items"]
            .to_string()
            .contains(mem["session_id"].as_str().expect("sid"))
    );
    let (_, mine) = get(
        &app,
        &format!("/v1/tenants/acme/sessions?user_id={mid}"),
        Some(ot),
    )
    .await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["user_id"] == mid.as_str())
    );
    let (st, _) = delete(
        &app,
        &format!(
            "/v1/tenants/acme/sessions/{}",
            mem["session_id"].as_str().expect("sid")
        ),
        ot,
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = get(&app, "/v1/tenants/acme/me", Some(at(&mem))).await;
    assert_eq!(st, 401, "revoked at once");
    let (st, _) = delete(
        &app,
        &format!("/v1/tenants/acme/sessions/{}", uuid::Uuid::now_v7()),
        ot,
    )
    .await;
    assert_eq!(st, 404);
    // All of a member's sessions.
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (_, p) = post(
            &app,
            "/v1/tenants/acme/auth/login",
            json!({ "email": "max@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
        tokens.push(at(&p).to_owned());
    }
    let (st, n) = delete(
        &app,
        &format!("/v1/tenants/acme/members/{mid}/sessions"),
        ot,
    )
    .await;
    assert_eq!((st, n["revoked"].as_u64()), (200, Some(2)));
    for t in &tokens {
        assert_eq!(get(&app, "/v1/tenants/acme/me", Some(t)).await.0, 401);
    }
    app.stop().await;
}

async fn settings_are_validated_and_apply_at_once(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let (st, s) = get(&app, "/v1/tenants/acme/settings", Some(ot)).await;
    assert_eq!(st, 200);
    assert_eq!(s["access_token_ttl_secs"], 900);
    assert_eq!(s["mfa_policy"], "optional");
    assert_eq!(
        s["password_policy"],
        json!({ "min_length": 8, "refuse_common": true })
    );

    let (st, s) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "access_token_ttl_secs": 120, "password_policy": { "min_length": 16, "refuse_common": true } }),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["access_token_ttl_secs"], 120);
    let (_, p) = post(
        &app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": "olga@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(p["expires_in"], 120, "applies to the next token");
    let (st, err) = post(
        &app,
        "/v1/tenants/acme/auth/register",
        json!({ "email": "short@acme.test", "password": "Fifteen-chars-1" }),
        None,
    )
    .await;
    assert_eq!(st, 400, "min_length 16: {err}");

    // Bad values are refused whole, naming the setting; nothing changes.
    for (body, needle) in [
        (
            json!({ "access_token_ttl_secs": 5 }),
            "access_token_ttl_secs",
        ),
        (
            json!({ "session_idle_secs": 999999, "session_absolute_secs": 3600 }),
            "session_idle_secs",
        ),
        (json!({ "default_role": "owner" }), "default_role"),
        (
            json!({ "rate_limits": { "nope": { "per_minute": 1, "burst": 1 } } }),
            "nope",
        ),
        (
            json!({ "branding": { "primary_color": "red;x:y" } }),
            "branding",
        ),
        (
            json!({ "branding": { "logo_url": "http://x.test/l.png" } }),
            "https",
        ),
        (
            json!({ "custom_roles": { "auditor": ["root:all"] } }),
            "root:all",
        ),
        (
            json!({ "email_templates": { "login_code": { "text": "no code here" } } }),
            "code",
        ),
        (
            json!({ "email_templates": { "nope": { "text": "x" } } }),
            "nope",
        ),
        (json!({ "audit_retention_days": 0 }), "audit_retention_days"),
        (json!({ "default_role": "admin" }), "default_role"),
        (
            json!({ "email_templates": { "password_reset": { "html": "<img src=\"https://evil.test/x\">{{ link }}" } } }),
            "evil.test",
        ),
        (json!({ "made_up": 1 }), "made_up"),
        (
            json!({ "access_token_ttl_secs": 60, "mfa_policy": "sometimes" }),
            "",
        ),
    ] {
        let (st, err) = patch(&app, "/v1/tenants/acme/settings", body.clone(), ot).await;
        assert_eq!(st, 400, "{body} → {err}");
        assert!(
            err["detail"].as_str().unwrap_or_default().contains(needle),
            "{body} → {err}"
        );
        assert!(err.get("request_id").is_some());
    }
    let (_, s) = get(&app, "/v1/tenants/acme/settings", Some(ot)).await;
    assert_eq!(
        s["access_token_ttl_secs"], 120,
        "unchanged by refused patches"
    );

    // `null` restores a default; rate limits apply at once.
    let (_, s) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "access_token_ttl_secs": null, "rate_limits": { "login_ip": { "per_minute": 1, "burst": 1 } } }),
        ot,
    )
    .await;
    assert_eq!(s["access_token_ttl_secs"], 900);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (st, _) = post(
            &app,
            "/v1/tenants/acme/auth/login",
            json!({ "email": "nobody@acme.test", "password": "Wrong-Password-1" }),
            None,
        )
        .await;
        statuses.push(st);
    }
    assert_eq!(
        statuses,
        [401, 401, 429],
        "one failure allowed, the next goes over"
    );

    // Readers read, writers write.
    let viewer = join(&app, ot, "vera@acme.test", "viewer").await;
    let (st, _) = get(&app, "/v1/tenants/acme/settings", Some(at(&viewer))).await;
    assert_eq!(st, 200);
    let (st, _) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "self_signup": false }),
        at(&viewer),
    )
    .await;
    assert_eq!(st, 403);
    let (_, ev) = get(
        &app,
        "/v1/tenants/acme/audit-events?action=settings.updated",
        Some(ot),
    )
    .await;
    assert_eq!(ev["items"].as_array().expect("items").len(), 2);
    app.stop().await;
}

async fn custom_roles_grant_their_permissions(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let (st, s) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "custom_roles": { "auditor": ["audit:read"] } }),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{s}");
    let aud = join(&app, ot, "aud@acme.test", "auditor").await;
    assert_eq!(claims(at(&aud))["permissions"], json!(["audit:read"]));
    assert_eq!(
        get(&app, "/v1/tenants/acme/audit-events", Some(at(&aud)))
            .await
            .0,
        200
    );
    assert_eq!(
        get(&app, "/v1/tenants/acme/members", Some(at(&aud)))
            .await
            .0,
        403
    );
    let (st, err) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "custom_roles": {} }),
        ot,
    )
    .await;
    assert_eq!((st, err["code"].as_str()), (409, Some("role_in_use")));

    // A role that may manage members still cannot hand out more than it holds.
    let (st, _) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "custom_roles": { "auditor": ["audit:read"], "recruiter": ["members:read", "members:write"] } }),
        ot,
    )
    .await;
    assert_eq!(st, 200);
    let rec = join(&app, ot, "rec@acme.test", "recruiter").await;
    let rt = at(&rec);
    let rid = rec["user"]["id"].as_str().expect("id").to_owned();
    let (st, _) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{rid}"),
        json!({ "role": "admin" }),
        rt,
    )
    .await;
    assert_eq!(st, 403, "no self-promotion");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "boss@acme.test", "role": "admin" }),
        Some(rt),
    )
    .await;
    assert_eq!(st, 403, "no inviting above one's own rights");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "helper@acme.test", "role": "member" }),
        Some(rt),
    )
    .await;
    assert_eq!(st, 201, "within one's rights is fine");
    let aid = aud["user"]["id"].as_str().expect("id").to_owned();
    let (st, _) = patch(
        &app,
        &format!("/v1/tenants/acme/members/{aid}"),
        json!({ "status": "disabled" }),
        rt,
    )
    .await;
    assert_eq!(st, 403, "nor act on a member holding what one lacks");

    // Admins change settings, but not who gets which powers.
    let admin = join(&app, ot, "ada@acme.test", "admin").await;
    for body in [
        json!({ "custom_roles": {} }),
        json!({ "default_role": "viewer" }),
        json!({ "mfa_policy": "optional" }),
        json!({ "email_templates": {} }),
    ] {
        let (st, err) = patch(&app, "/v1/tenants/acme/settings", body.clone(), at(&admin)).await;
        assert_eq!(
            (st, err["code"].as_str()),
            (403, Some("forbidden")),
            "{body}"
        );
    }
    let (st, _) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({ "access_token_ttl_secs": 600 }),
        at(&admin),
    )
    .await;
    assert_eq!(st, 200);
    app.stop().await;
}

async fn email_branding_and_template_overrides_apply(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let (st, s) = patch(
        &app,
        "/v1/tenants/acme/settings",
        json!({
            "branding": { "name": "Acme Rockets", "primary_color": "#ff6600" },
            "email_templates": { "login_code": {
                "subject": "{{ branding.name }} sign-in",
                "text": "Use {{ code }} within {{ expires_minutes }} minutes."
            } }
        }),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{s}");
    let before = messages_to(&app, "olga@acme.test").len();
    post(
        &app,
        "/v1/tenants/acme/auth/otp/send",
        json!({ "email": "olga@acme.test" }),
        None,
    )
    .await;
    let code = wait_for(&app, "olga@acme.test", before, code_in).await;
    let mail = messages_to(&app, "olga@acme.test").pop().expect("mail");
    assert!(mail.contains("Subject: Acme Rockets sign-in"), "{mail}");
    assert!(
        mail.contains(&format!("Use {code} within 10 minutes.")),
        "{mail}"
    );
    assert!(
        mail.contains("ff6600"),
        "the bundled HTML carries the brand colour"
    );
    assert!(mail.contains("Acme Rockets"));
    app.stop().await;
}

async fn the_audit_log_filters_and_pages(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let oid = owner["user"]["id"].as_str().expect("id").to_owned();
    for i in 0..3 {
        join(&app, ot, &format!("m{i}@acme.test"), "member").await;
    }
    let (st, all) = get(&app, "/v1/tenants/acme/audit-events?limit=200", Some(ot)).await;
    assert_eq!(st, 200);
    let items = all["items"].as_array().expect("items").clone();
    assert!(items.len() >= 8, "{}", items.len());
    let seqs: Vec<i64> = items
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seqs:?}"
    );
    for e in &items {
        assert!(e["hash"].as_str().is_some_and(|h| h.len() == 64));
    }
    // Pages of 3 cover everything once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tenants/acme/audit-events?limit=3&cursor={c}"),
            None => "/v1/tenants/acme/audit-events?limit=3".into(),
        };
        let (_, page) = get(&app, &path, Some(ot)).await;
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), items.len());
    let (_, inv) = get(
        &app,
        "/v1/tenants/acme/audit-events?action=invitation.",
        Some(ot),
    )
    .await;
    assert!(inv["items"].as_array().expect("items").iter().all(|e| {
        e["action"]
            .as_str()
            .expect("action")
            .starts_with("invitation.")
    }));
    let (_, mine) = get(
        &app,
        &format!("/v1/tenants/acme/audit-events?actor={oid}&action=invitation.created"),
        Some(ot),
    )
    .await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 3);
    let (_, future) = get(
        &app,
        "/v1/tenants/acme/audit-events?since=2100-01-01T00:00:00Z",
        Some(ot),
    )
    .await;
    assert_eq!(future["items"].as_array().expect("items").len(), 0);
    for bad in [
        "limit=0",
        "limit=201",
        "actor=someone",
        "action=DROP%20TABLE",
        "cursor=zz",
    ] {
        let (st, _) = get(
            &app,
            &format!("/v1/tenants/acme/audit-events?{bad}"),
            Some(ot),
        )
        .await;
        assert_eq!(st, 400, "{bad}");
    }
    app.stop().await;
}

/// Runs `platform audit verify acme` against the app's database and data directory.
fn verify_cli(app: &TestApp) -> std::process::Output {
    crate::helpers::platform_cli(app, &["audit", "verify", "acme"])
}

async fn audit_verify_names_an_edited_or_deleted_row(db: Db) {
    use platform::store::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    for i in 0..3 {
        join(&app, at(&owner), &format!("m{i}@acme.test"), "member").await;
    }
    let out = verify_cli(&app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("checks"));

    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("tx");
    let rows = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Seq)
        .all(&*tx)
        .await
        .expect("rows");
    tx.commit().await.expect("commit");
    let victim = &rows[3];

    // Edit one row: its outcome flips.
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Outcome, Expr::value("failure"))
        .filter(audit_event::Column::Id.eq(victim.id))
        .exec(&*tx)
        .await
        .expect("edit");
    tx.commit().await.expect("commit");
    let out = verify_cli(&app);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(&victim.id.to_string()),
        "names the edited row: {err}"
    );
    assert!(err.contains("altered"), "{err}");

    // Put it back, then delete it instead.
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::update_many()
        .col_expr(
            audit_event::Column::Outcome,
            Expr::value(victim.outcome.clone()),
        )
        .filter(audit_event::Column::Id.eq(victim.id))
        .exec(&*tx)
        .await
        .expect("restore");
    tx.commit().await.expect("commit");
    assert!(verify_cli(&app).status.success());
    let tx = scope.begin().await.expect("tx");
    audit_event::Entity::delete_by_id(victim.id)
        .exec(&*tx)
        .await
        .expect("delete");
    tx.commit().await.expect("commit");
    let out = verify_cli(&app);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let seq = victim.seq.expect("seq");
    assert!(
        err.contains(&format!("event(s) {seq} are missing")),
        "names the deleted row's position: {err}"
    );
    app.stop().await;
}

async fn retention_prunes_behind_a_signed_checkpoint(db: Db) {
    use platform::{
        audit::{chain, retention},
        store::entities::audit_checkpoint,
    };
    use sea_orm::{EntityTrait, sea_query::Expr};
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    join(&app, at(&owner), "m@acme.test", "member").await;
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let key = app.state.master_key.bytes();
    let pruned = retention::prune(
        &scope,
        key,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("prune");
    assert!(pruned >= 4, "{pruned}");
    // New events chain onto the checkpoint, and the whole still verifies.
    join(&app, at(&owner), "n@acme.test", "member").await;
    let tx = scope.read().await.expect("tx");
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(report.broken.is_none(), "{report:?}");
    assert!(report.checkpoint_seq.is_some());
    assert!(report.events >= 3, "{report:?}");
    // A forged checkpoint (written without the master key) is caught.
    let tx = scope.begin().await.expect("tx");
    audit_checkpoint::Entity::update_many()
        .col_expr(audit_checkpoint::Column::Seq, Expr::value(1i64))
        .exec(&*tx)
        .await
        .expect("forge");
    tx.commit().await.expect("commit");
    let tx = scope.read().await.expect("tx");
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(
        report
            .broken
            .as_ref()
            .is_some_and(|b| b.reason.contains("checkpoint")),
        "{report:?}"
    );
    app.stop().await;
}
