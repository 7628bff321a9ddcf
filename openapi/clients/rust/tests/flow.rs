//! The generated client against a real `platform serve`: a tenant app's whole account flow
//! (register → emailed code → verify → login → `/me` → refresh → logout) and an error whose
//! typed problem body it reads.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use platform_client::{Client, Credentials, Error, types};

/// The `platform` binary built next to this test.
fn platform_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("platform");
    assert!(
        bin.exists(),
        "build the platform binary first: {}",
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

async fn start() -> Platform {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = command(dir.path(), &["tenant", "create", "acme"])
        .output()
        .expect("create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let platform = Platform { dir, url, child };
    let client = Client::new(&platform.url, Credentials::none());
    for _ in 0..200 {
        if client.health_live().await.is_ok() {
            return platform;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("platform did not start");
}

/// The 6-digit code in the newest mail to `to`.
async fn code_for(mail_dir: &Path, to: &str) -> String {
    for _ in 0..100 {
        let mut files: Vec<_> = std::fs::read_dir(mail_dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        // Names are random: newest means most recently written.
        files.sort_by_key(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
        for f in files.iter().rev() {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            if !text.contains(to) {
                continue;
            }
            // The code stands alone on its line in the plain-text part.
            if let Some(code) = text
                .lines()
                .map(str::trim)
                .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))
            {
                return code.to_owned();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no code mailed to {to}");
}

#[tokio::test]
async fn a_tenant_app_runs_the_account_flow_through_the_generated_client() {
    let p = start().await;
    let anon = Client::new(&p.url, Credentials::none());
    const EMAIL: &str = "ann@acme.test";
    const PASSWORD: &str = "Correct-Horse-Battery-9";

    anon.account_register(
        "acme",
        &types::RegisterRequest {
            email: EMAIL.parse().expect("email"),
            password: PASSWORD.parse().expect("password"),
        },
    )
    .await
    .expect("register");
    let code = code_for(&p.dir.path().join("mail"), EMAIL).await;
    let verified = anon
        .email_verify(
            "acme",
            &types::VerifyEmailRequest {
                code: code.parse().expect("code"),
                email: EMAIL.parse().expect("email"),
                password: None,
            },
        )
        .await
        .expect("verify")
        .into_inner();
    assert!(verified.user.email_verified);

    let pair = match anon
        .session_login(
            "acme",
            &types::LoginRequest {
                cookie: None,
                email: EMAIL.parse().expect("email"),
                password: PASSWORD.parse().expect("password"),
            },
        )
        .await
        .expect("login")
        .into_inner()
    {
        types::LoginResult::TokenPairView(p) => p,
        types::LoginResult::MfaChallengeView(c) => panic!("no MFA expected: {c:?}"),
    };
    let me = anon
        .with_bearer(&pair.access_token)
        .me_get("acme")
        .await
        .expect("me")
        .into_inner();
    assert_eq!(me.email, EMAIL);
    assert_eq!(me.role, "member");

    let refreshed = anon
        .token_refresh(
            "acme",
            None,
            &types::RefreshRequest {
                refresh_token: Some(
                    pair.refresh_token
                        .as_deref()
                        .expect("refresh token")
                        .parse()
                        .expect("token"),
                ),
            },
        )
        .await
        .expect("refresh")
        .into_inner();
    assert_ne!(refreshed.refresh_token, pair.refresh_token);

    let fresh = anon.with_bearer(&refreshed.access_token);
    fresh.session_logout("acme", None).await.expect("logout");
    match fresh.me_get("acme").await {
        Err(Error::ErrorResponse(rv)) => assert_eq!(rv.status().as_u16(), 401),
        other => panic!("a logged-out token must be refused: {other:?}"),
    }

    // An error's typed problem body.
    let wrong = anon
        .session_login(
            "acme",
            &types::LoginRequest {
                cookie: None,
                email: EMAIL.parse().expect("email"),
                password: "Wrong-Password-1".parse().expect("password"),
            },
        )
        .await;
    let Err(Error::ErrorResponse(rv)) = wrong else {
        panic!("a wrong password must fail: {wrong:?}");
    };
    assert_eq!(rv.status().as_u16(), 401);
    let body = futures::TryStreamExt::try_concat(futures::TryStreamExt::map_ok(
        rv.into_inner().into_inner(),
        |b| b.to_vec(),
    ))
    .await
    .expect("body");
    let problem: types::Problem = serde_json::from_slice(&body).expect("a typed problem body");
    assert_eq!(problem.code, types::ErrorCode::InvalidCredentials);
    assert_eq!(problem.status, 401);
    assert!(!problem.request_id.is_empty());
}
