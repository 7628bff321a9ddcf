//! The generated client against a real `platform serve`: a tenant app's whole account flow
//! (register → emailed code → verify → login → `/me` → refresh → logout) and an error whose
//! typed problem body it reads.

use harness::{Platform, Start, mail::Mailbox};
use platform_client::{Client, Credentials, Error, types};

/// A platform with tenant `acme`.
async fn start() -> Platform {
    Platform::start_after(Start::default(), &[&["tenant", "create", "acme"]])
        .await
        .expect("the platform starts")
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
    let code = Mailbox::new(p.mail_dir())
        .code_for(EMAIL)
        .await
        .expect("a code mailed");
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
