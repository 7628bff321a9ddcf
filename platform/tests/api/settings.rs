//! A tenant's settings end to end: validated as a whole, owner-only keys, applied at once,
//! and the email branding and template overrides they carry.

use serde_json::json;

use crate::{
    accounts::{PASSWORD, get, post},
    helpers::{Db, spawn_app},
    mailbox::{code_in, messages_to, wait_for},
    members::{at, join, patch, tenant_with_owner},
};

crate::both_backends!(
    settings_are_validated_and_apply_at_once,
    email_branding_and_template_overrides_apply,
);

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
