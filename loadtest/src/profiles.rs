//! The load profiles and the operations they are made of, each a call of the generated client.

use std::{str::FromStr, sync::Arc, time::Duration};

use anyhow::{Result, bail};
use platform_client::{Client, Error, types};
use rand::{Rng, rngs::StdRng};
use serde::Serialize;

use crate::{
    mailbox::Mailbox,
    populate::{PASSWORD, Session},
};

/// A profile: what every worker does in a loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// `GET /health/live`: the ceiling of an authenticated read.
    Health,
    /// `GET /me` with a user's access token: verify the JWT, check the session, read the user.
    Me,
    /// Refresh-token rotation (each worker owns its sessions, so no two rotate the same token).
    Refresh,
    /// Password logins (argon2-bound), with a paced `/me` probe measuring reads meanwhile.
    Login,
    /// Register, read the code from the mail directory, verify.
    Signup,
    /// All of the above across every tenant: 85% me, 10% refresh, 4% login, 1% signup.
    Mixed,
}

impl Profile {
    pub const ALL: [Profile; 6] = [
        Profile::Health,
        Profile::Me,
        Profile::Refresh,
        Profile::Login,
        Profile::Signup,
        Profile::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Health => "health",
            Profile::Me => "me",
            Profile::Refresh => "refresh",
            Profile::Login => "login",
            Profile::Signup => "signup",
            Profile::Mixed => "mixed",
        }
    }

    /// Workers that keep requests in flight (a closed loop): enough to saturate two cores
    /// without queueing so deep that latency is only queueing.
    pub fn default_concurrency(self) -> usize {
        match self {
            Profile::Health | Profile::Me | Profile::Refresh | Profile::Mixed => 32,
            Profile::Login | Profile::Signup => 16,
        }
    }
}

impl FromStr for Profile {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match Profile::ALL.iter().find(|p| p.name() == s) {
            Some(p) => Ok(*p),
            None => {
                bail!("unknown profile {s:?}; profiles: health, me, refresh, login, signup, mixed")
            }
        }
    }
}

/// What workers share: the client (one connection pool), the mailbox and who exists.
pub struct Shared {
    pub client: Client,
    pub mailbox: Arc<Mailbox>,
    pub tenants: Vec<String>,
    /// Users who can log in: (tenant, email).
    pub users: Vec<(String, String)>,
    /// Sessions kept out of the pool for the paced `/me` probes of the login profile.
    pub probes: Vec<Session>,
}

/// The operations.
pub mod op {
    use super::*;

    pub async fn health(c: &Client) -> Result<(), String> {
        c.health_live().await.map(drop).map_err(kind)
    }

    pub async fn me(c: &Client, s: &Session) -> Result<(), String> {
        c.with_bearer(&s.access)
            .me_get(&s.tenant)
            .await
            .map(drop)
            .map_err(kind)
    }

    /// Rotates `s`'s refresh token and keeps the new pair.
    pub async fn refresh(c: &Client, s: &mut Session) -> Result<(), String> {
        let token = s.refresh.parse().map_err(|_| "bad-token".to_owned())?;
        let pair = c
            .token_refresh(
                &s.tenant,
                None,
                &types::RefreshRequest {
                    refresh_token: Some(token),
                },
            )
            .await
            .map_err(kind)?
            .into_inner();
        s.access = pair.access_token;
        s.refresh = pair.refresh_token.ok_or("no-refresh-token")?;
        Ok(())
    }

    pub async fn login(c: &Client, tenant: &str, email: &str) -> Result<(), String> {
        let body = types::LoginRequest {
            email: email.parse().map_err(|_| "bad-email".to_owned())?,
            password: PASSWORD.parse().map_err(|_| "bad-password".to_owned())?,
            cookie: None,
        };
        match c
            .session_login(tenant, &body)
            .await
            .map_err(kind)?
            .into_inner()
        {
            types::LoginResult::TokenPairView(_) => Ok(()),
            types::LoginResult::MfaChallengeView(_) => Err("mfa-challenge".into()),
        }
    }

    pub async fn signup(
        c: &Client,
        mailbox: &Mailbox,
        tenant: &str,
        email: &str,
    ) -> Result<(), String> {
        crate::populate::sign_up(c, mailbox, tenant, email)
            .await
            .map(drop)
    }

    /// An error as a short kind for the report: the HTTP status, or `transport`.
    pub fn kind<E>(e: Error<E>) -> String {
        match e.status() {
            Some(s) => s.as_u16().to_string(),
            None => match e {
                Error::CommunicationError(_) | Error::ResponseBodyError(_) => "transport".into(),
                Error::InvalidResponsePayload(..) => "bad-payload".into(),
                _ => "client".into(),
            },
        }
    }
}

/// One worker's loop body for `profile`: picks and runs an operation, returns its name and outcome.
pub async fn step(
    profile: Profile,
    shared: &Shared,
    sessions: &mut [Session],
    rng: &mut StdRng,
    signup_seq: &mut u64,
    worker: usize,
) -> (&'static str, Result<(), String>) {
    let c = &shared.client;
    let mut signup = |rng: &mut StdRng| {
        *signup_seq += 1;
        let tenant = shared.tenants[rng.random_range(0..shared.tenants.len())].clone();
        let email = format!(
            "{}-w{worker}-{signup_seq}@{tenant}.load.test",
            profile.name()
        );
        (tenant, email)
    };
    let which = match profile {
        Profile::Mixed => match rng.random_range(0..100) {
            0..85 => Profile::Me,
            85..95 => Profile::Refresh,
            95..99 => Profile::Login,
            _ => Profile::Signup,
        },
        p => p,
    };
    match which {
        Profile::Health => ("health", op::health(c).await),
        Profile::Me => {
            let s = &sessions[rng.random_range(0..sessions.len())];
            ("me", op::me(c, s).await)
        }
        Profile::Refresh => {
            let i = rng.random_range(0..sessions.len());
            ("refresh", op::refresh(c, &mut sessions[i]).await)
        }
        Profile::Login => {
            let (tenant, email) = &shared.users[rng.random_range(0..shared.users.len())];
            ("login", op::login(c, tenant, email).await)
        }
        Profile::Signup | Profile::Mixed => {
            let (tenant, email) = signup(rng);
            (
                "signup",
                op::signup(c, &shared.mailbox, &tenant, &email).await,
            )
        }
    }
}

/// The pause between probe requests during a login flood: a steady 100 reads/s per prober.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(10);
