//! Populate: an operator (created with the CLI, signed in with its TOTP code), N tenants created
//! through the admin API, and M verified users in each, signed up through the real email flow.

use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::{Context, Result, anyhow};
use futures::{StreamExt, TryStreamExt, stream};
use platform_client::{Client, types};
use serde::Serialize;

use platform::crypto::totp::TotpSecret;

use crate::{mailbox::Mailbox, profiles::op, server::Server};

/// Every user shares this password: the benchmark measures hashing, not guessing.
pub const PASSWORD: &str = "Correct-Horse-Battery-9";

/// A signed-in user: where, who, and the current token pair.
#[derive(Clone, Debug)]
pub struct Session {
    pub tenant: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

/// What populate made, and how fast.
pub struct Population {
    pub tenants: Vec<String>,
    pub sessions: Vec<Session>,
    pub timing: PopulateTiming,
}

/// How long each populate step took.
#[derive(Clone, Debug, Serialize)]
pub struct PopulateTiming {
    pub tenants: usize,
    pub users: usize,
    pub tenants_secs: f64,
    pub tenants_per_sec: f64,
    pub users_secs: f64,
    pub users_per_sec: f64,
}

/// Creates `tenants.0` tenants with `users` verified users each, and `tenants.1` idle tenants
/// without users.
pub async fn populate(
    server: &Server,
    client: &Client,
    mailbox: &Arc<Mailbox>,
    (active, idle): (usize, usize),
    users: usize,
) -> Result<Population> {
    let admin = operator_session(server, client).await?;
    let started = std::time::Instant::now();
    let slugs: Vec<String> = (0..active).map(|i| format!("lt-{i:05}")).collect();
    let idle_slugs = (0..idle).map(|i| format!("idle-{i:05}"));
    let tenants = active + idle;
    stream::iter(slugs.iter().cloned().chain(idle_slugs))
        .map(|slug| {
            let admin = admin.clone();
            async move { create_tenant(&admin, &slug).await }
        })
        .buffer_unordered(8)
        .try_collect::<()>()
        .await?;
    let tenants_secs = started.elapsed().as_secs_f64();

    let started = std::time::Instant::now();
    let people: Vec<(String, String)> = slugs
        .iter()
        .flat_map(|t| (0..users).map(move |u| (t.clone(), format!("user{u}@{t}.load.test"))))
        .collect();
    let sessions: Vec<Session> = stream::iter(people)
        .map(|(tenant, email)| {
            let client = client.clone();
            let mailbox = mailbox.clone();
            async move {
                sign_up(&client, &mailbox, &tenant, &email)
                    .await
                    .map_err(|kind| anyhow!("signing up {email}: {kind}"))
            }
        })
        .buffer_unordered(16)
        .try_collect()
        .await?;
    let users_secs = started.elapsed().as_secs_f64();
    Ok(Population {
        timing: PopulateTiming {
            tenants,
            users: sessions.len(),
            tenants_secs,
            tenants_per_sec: tenants as f64 / tenants_secs,
            users_secs,
            users_per_sec: sessions.len() as f64 / users_secs,
        },
        tenants: slugs,
        sessions,
    })
}

/// An admin operator made with `platform operator create`, signed in with password then TOTP.
async fn operator_session(server: &Server, client: &Client) -> Result<Client> {
    let out = server.cli(&[
        "operator",
        "create",
        "loadtest@platform.test",
        "--role",
        "admin",
        "--json",
    ])?;
    let created: HashMap<String, serde_json::Value> =
        serde_json::from_str(&out).context("operator create --json")?;
    let field = |k: &str| {
        created
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("operator create printed no {k}"))
    };
    let challenge = client
        .operator_login(&types::OperatorLoginRequest {
            email: "loadtest@platform.test".parse()?,
            password: field("password")?.parse()?,
        })
        .await
        .map_err(|e| anyhow!("operator login: {e}"))?
        .into_inner();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let code = TotpSecret::from_base32(&field("totp_secret")?)
        .map_err(|e| anyhow!("totp secret: {e}"))?
        .code_at(now);
    let pair = client
        .operator_login_mfa(&types::OperatorMfaRequest {
            code: code.parse()?,
            mfa_token: challenge.mfa_token.parse()?,
        })
        .await
        .map_err(|e| anyhow!("operator TOTP: {e}"))?
        .into_inner();
    Ok(client.with_bearer(&pair.access_token))
}

/// Creates one tenant and lets the load generator's single address register as often as the
/// run needs (a tenant would do the same for its own load tests).
async fn create_tenant(admin: &Client, slug: &str) -> Result<()> {
    admin
        .tenant_create(&types::TenantCreate {
            slug: slug.parse()?,
            name: None,
            owner_email: None,
            reason: None,
        })
        .await
        .map_err(|e| anyhow!("creating tenant {slug}: {e}"))?;
    let limit = types::RateLimitView {
        per_minute: 10_000,
        burst: 10_000,
    };
    let settings = types::SettingsPatch {
        rate_limits: [("register_ip".to_owned(), limit)].into(),
        ..Default::default()
    };
    admin
        .tenant_update(
            slug,
            &types::TenantPatch {
                name: None,
                reason: None,
                settings: Some(settings),
                status: None,
            },
        )
        .await
        .map_err(|e| anyhow!("setting up tenant {slug}: {e}"))?;
    Ok(())
}

/// The full email flow: register, read the code from the mail directory, verify (which signs in).
/// A failure is a short kind for the report: the step and its HTTP status, or `mail-timeout`.
pub async fn sign_up(
    client: &Client,
    mailbox: &Mailbox,
    tenant: &str,
    email: &str,
) -> Result<Session, String> {
    client
        .account_register(
            tenant,
            &types::RegisterRequest {
                email: email.parse().map_err(|_| "bad-email".to_owned())?,
                password: PASSWORD.parse().map_err(|_| "bad-password".to_owned())?,
            },
        )
        .await
        .map_err(|e| format!("register {}", op::kind(e)))?;
    let code = mailbox
        .code_for(email, Duration::from_secs(30))
        .await
        .map_err(|_| "mail-timeout".to_owned())?;
    let pair = client
        .email_verify(
            tenant,
            &types::VerifyEmailRequest {
                email: email.parse().map_err(|_| "bad-email".to_owned())?,
                code: code.parse().map_err(|_| "bad-code".to_owned())?,
                password: None,
            },
        )
        .await
        .map_err(|e| format!("verify {}", op::kind(e)))?
        .into_inner();
    Ok(Session {
        tenant: tenant.to_owned(),
        email: email.to_owned(),
        access: pair.access_token,
        refresh: pair.refresh_token.ok_or("no-refresh-token")?,
    })
}
