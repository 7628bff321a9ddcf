//! A tenant's members end to end: invitations, listing and search, role and status changes,
//! the last owner, and custom roles with their permissions. The helpers here (a tenant with
//! its owner, joining as a role) serve the other tenant-administration tests too.

use platform::domain::EmailAddress;
use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, get, post, send, sign_up},
    helpers::{Db, TestApp, spawn_app},
    mailbox::{messages_to, token_in, wait_for},
};

crate::both_backends!(
    invitations_bring_members_in_with_their_role,
    members_are_listed_searched_and_managed,
    the_last_owner_stays,
    custom_roles_grant_their_permissions,
);

pub(crate) async fn patch(app: &TestApp, path: &str, body: Value, token: &str) -> (u16, Value) {
    send(app, reqwest::Method::PATCH, path, Some(body), token).await
}

pub(crate) async fn delete(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    send(app, reqwest::Method::DELETE, path, None, token).await
}

pub(crate) fn at(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access token")
}

/// Provisions `slug` with `email` as its owner (invited like `tenant create --owner`), signed in.
pub async fn tenant_with_owner(app: &TestApp, slug: &str, email: &str) -> Value {
    let t = app.tenant(slug).await;
    let scope = app.state.tenants.scope(&t);
    let mut tx = scope.begin().await.expect("begin");
    platform::members::invitation_mail::invite(
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
pub(crate) async fn accept(app: &TestApp, slug: &str, email: &str, after: usize) -> Value {
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
pub(crate) async fn join(app: &TestApp, token: &str, email: &str, role: &str) -> Value {
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

pub(crate) fn claims(token: &str) -> Value {
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
