//! End to end: a real `platform serve` (SQLite, in a temporary directory), an operator created
//! with `platform operator create`, and the console driven through its own event loop by
//! scripted keys: sign in with the TOTP code, open the tenant, revoke a member's session, and
//! see it gone (the member's token stops working too).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use harness::{Platform, Start, mail::Mailbox};
use ratatui::{Terminal, backend::TestBackend};
use tenant_admin_tui::{
    app::App,
    keymap::Keymap,
    state::{Pane, Screen, State},
};

fn totp_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("totp")
        .generate_current()
        .to_string()
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn type_text<B: ratatui::backend::Backend>(app: &mut App<B>, text: &str) {
    for c in text.chars() {
        app.key(key(KeyCode::Char(c)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_signs_in_and_revokes_a_session_from_the_console() {
    let p = Platform::start(Start::default())
        .await
        .expect("the platform starts");
    p.cli(&["tenant", "create", "acme", "--owner", "olga@acme.test"])
        .expect("tenant created");
    let op: serde_json::Value = serde_json::from_str(
        &p.cli(&[
            "operator",
            "create",
            "sam@platform.test",
            "--role",
            "support",
            "--json",
        ])
        .expect("operator created"),
    )
    .expect("operator json");

    // A member signs in, which gives the tenant a live session.
    let token = Mailbox::new(p.mail_dir())
        .token_for("olga@acme.test")
        .await
        .expect("an invitation mailed");
    let http = reqwest::Client::new();
    let pair: serde_json::Value = http
        .post(format!("{}/v1/tenants/acme/auth/invitations/accept", p.url))
        .json(&serde_json::json!({ "token": token, "password": "Correct-Horse-Battery-9" }))
        .send()
        .await
        .expect("accept")
        .json()
        .await
        .expect("pair");
    let member_token = pair["access_token"].as_str().expect("token").to_owned();
    let me = |t: String| {
        let http = http.clone();
        let url = format!("{}/v1/tenants/acme/me", p.url);
        async move {
            http.get(url)
                .bearer_auth(t)
                .send()
                .await
                .expect("me")
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(member_token.clone()).await, 200);

    // The console, on an 80×24 test terminal.
    let terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let keymap = Keymap::new(&Default::default()).expect("keymap");
    let mut app = App::new(terminal, State::new(&p.url), keymap);
    let settle = Duration::from_secs(20);
    app.draw().expect("draw");
    type_text(&mut app, "sam@platform.test");
    app.key(key(KeyCode::Enter));
    type_text(&mut app, op["password"].as_str().expect("password"));
    app.key(key(KeyCode::Tab));
    type_text(
        &mut app,
        &totp_now(op["totp_secret"].as_str().expect("secret")),
    );
    app.key(key(KeyCode::Enter));
    app.settle(settle).await.expect("signed in");
    assert_eq!(app.state.screen, Screen::Tenants, "{:?}", app.state.popup);
    assert!(format!("{}", app.terminal.backend()).contains("acme"));

    // Open acme, go to its sessions, revoke the member's with a reason.
    app.key(key(KeyCode::Enter));
    app.settle(settle).await.expect("tenant loaded");
    app.key(key(KeyCode::Tab));
    assert_eq!(app.state.pane, Pane::Sessions);
    assert_eq!(app.state.sessions.items.len(), 1);
    assert!(format!("{}", app.terminal.backend()).contains("olga@acme.test"));
    app.key(key(KeyCode::Char('x')));
    type_text(&mut app, "e2e test");
    app.key(key(KeyCode::Enter));
    app.settle(settle).await.expect("revoked");
    assert!(app.state.popup.is_none(), "{:?}", app.state.popup);
    assert!(
        app.state.sessions.items.is_empty(),
        "the session is gone from the list"
    );
    assert!(app.state.status.contains("revoked"), "{}", app.state.status);
    assert_eq!(me(member_token).await, 401, "and its token stops working");

    // The audit pane shows the revocation by the operator.
    app.key(key(KeyCode::Char('r')));
    for _ in 0..2 {
        app.key(key(KeyCode::Tab));
    }
    app.key(key(KeyCode::Char('r')));
    app.settle(settle).await.expect("audit loaded");
    assert!(
        app.state
            .audit
            .items
            .iter()
            .any(|e| e.action == "session.revoked" && e.actor.starts_with("operator")),
        "{:?}",
        app.state.audit.items
    );
}
