//! End to end: a real `platform serve` (SQLite, in a temporary directory), an operator created
//! with `platform operator create`, and the console driven through its own event loop by
//! scripted keys: sign in with the TOTP code, open the tenant, revoke a member's session, and
//! see it gone (the member's token stops working too).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use tenant_admin_tui::{
    app::App,
    keymap::Keymap,
    state::{Pane, Screen, State},
};

/// The `platform` binary built next to this test.
fn platform_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join("platform");
    assert!(
        bin.exists(),
        "build the platform binary first (cargo build -p platform): {}",
        bin.display()
    );
    bin
}

struct Platform {
    dir: tempfile::TempDir,
    url: String,
    child: Child,
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(platform_bin());
    c.args(args)
        .env_remove("PLATFORM_CONFIG")
        .env_remove("PLATFORM_DATABASE_URL")
        .env_remove("PLATFORM_SMTP_URL")
        .env("PLATFORM_DATA_DIR", dir.join("data"))
        .env("PLATFORM_MAIL_DIR", dir.join("mail"));
    c
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = command(dir, args).output().expect("run platform");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn start() -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let child = command(dir.path(), &["serve"])
        .env("PLATFORM_LISTEN", format!("127.0.0.1:{port}"))
        .env("PLATFORM_PUBLIC_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start platform");
    // From here on, Drop kills and waits for the server whatever happens.
    let platform = Platform { dir, url, child };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/health/live", platform.url))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return platform;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("platform did not start");
}

/// The invitation token in the newest mail to `to` (quoted-printable undone).
fn invitation_token(mail_dir: &Path, to: &str) -> String {
    for _ in 0..100 {
        let mut files: Vec<_> = std::fs::read_dir(mail_dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files.iter().rev() {
            let raw = std::fs::read_to_string(f).unwrap_or_default();
            if !raw.contains(to) {
                continue;
            }
            let text = raw
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if let Some(i) = text.find("token=") {
                return text[i + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no invitation mail to {to}");
}

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
    let p = start().await;
    run(
        p.dir.path(),
        &["tenant", "create", "acme", "--owner", "olga@acme.test"],
    );
    let op: serde_json::Value = serde_json::from_str(&run(
        p.dir.path(),
        &[
            "operator",
            "create",
            "sam@platform.test",
            "--role",
            "support",
            "--json",
        ],
    ))
    .expect("operator json");

    // A member signs in, which gives the tenant a live session.
    let token = invitation_token(&p.dir.path().join("mail"), "olga@acme.test");
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
