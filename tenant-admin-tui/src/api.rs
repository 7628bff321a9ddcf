//! The console's only way to the platform: commands run through the progenitor-generated
//! client (`platform-client`) and come back as plain data. Signs in with password and TOTP,
//! refreshes the access token before it expires, and turns every error into a message with
//! the server's request id.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use platform_client::{Client, Credentials, types};

/// What the console asks of the platform.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Login {
        server: String,
        email: String,
        password: String,
        code: String,
    },
    Tenants,
    Members {
        tenant: String,
    },
    Sessions {
        tenant: String,
        user: Option<String>,
    },
    Invitations {
        tenant: String,
    },
    Audit {
        tenant: String,
    },
    Settings {
        tenant: String,
    },
    RevokeSession {
        tenant: String,
        session: String,
        reason: Option<String>,
    },
    RevokeUser {
        tenant: String,
        user: String,
        reason: Option<String>,
    },
    UpdateMember {
        tenant: String,
        user: String,
        change: MemberChange,
        reason: Option<String>,
    },
    Resend {
        tenant: String,
        invitation: String,
        reason: Option<String>,
    },
    SetTenantStatus {
        tenant: String,
        status: String,
        reason: Option<String>,
    },
    DeleteTenant {
        tenant: String,
        reason: Option<String>,
    },
    CreateTenant {
        slug: String,
        owner: Option<String>,
    },
    Customers {
        query: String,
    },
}

/// A support action on one member.
#[derive(Clone, Debug, PartialEq)]
pub enum MemberChange {
    ResetMfa,
    ForcePasswordReset,
    Status(String),
    Role(String),
}

/// A tenant as the console shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tenant {
    pub slug: String,
    pub name: String,
    pub status: String,
}

/// A member.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub mfa: bool,
}

/// A session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub ip: String,
    pub user_agent: String,
    pub created: String,
}

/// An invitation.
#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: String,
    pub status: String,
}

/// An audit event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub time: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub target: String,
    pub details: String,
}

/// A customer found across tenants.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub tenant: String,
    pub member: Member,
}

/// What came back.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    LoggedIn {
        email: String,
        role: String,
    },
    Tenants(Vec<Tenant>),
    Members(String, Vec<Member>),
    Sessions(String, Vec<Session>),
    Invitations(String, Vec<Invitation>),
    Audit(String, Vec<Event>),
    /// A tenant's settings as `name = value` lines.
    Settings(String, Vec<(String, String)>),
    /// Customers found, and whether every tenant was searched within the server's time budget.
    Customers(Vec<Customer>, bool),
    /// An action succeeded; the text says what happened, `reload` what to fetch again.
    Did {
        message: String,
        reload: Vec<Command>,
    },
}

/// Why a command failed, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: String,
    pub request_id: Option<String>,
    /// The session is gone: the console goes back to the login screen.
    pub signed_out: bool,
}

impl Failure {
    fn local(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            request_id: None,
            signed_out: false,
        }
    }
}

async fn failure(e: platform_client::Error<platform_client::ByteStream>) -> Failure {
    match e {
        platform_client::Error::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let header_id = rv
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body: Vec<u8> = rv
                .into_inner()
                .into_inner()
                .map_ok(|b| b.to_vec())
                .try_concat()
                .await
                .unwrap_or_default();
            let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let detail = problem["detail"]
                .as_str()
                .or_else(|| problem["title"].as_str())
                .unwrap_or("the request failed");
            Failure {
                message: format!("{status}: {detail}"),
                request_id: problem["request_id"]
                    .as_str()
                    .map(str::to_owned)
                    .or(header_id),
                signed_out: status == 401,
            }
        }
        platform_client::Error::CommunicationError(e) => {
            Failure::local(format!("cannot reach the server: {}", e.without_url()))
        }
        other => Failure::local(format!("unexpected answer: {other}")),
    }
}

fn arg<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, Failure> {
    value
        .parse()
        .map_err(|_| Failure::local(format!("{what} is not valid")))
}

fn opt<T: std::str::FromStr>(value: Option<&String>, what: &str) -> Result<Option<T>, Failure> {
    value.map(|v| arg(v, what)).transpose()
}

/// A signed-in (or not yet) connection to one platform.
pub struct Api {
    server: String,
    client: Client,
    refresh_token: Option<String>,
    refresh_at: Option<Instant>,
}

fn authed(server: &str, token: Option<&str>) -> Client {
    let http = reqwest::ClientBuilder::new()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_default();
    let credentials = token.map_or_else(Credentials::none, Credentials::bearer);
    Client::new_with_client(server.trim_end_matches('/'), http, credentials)
}

impl Api {
    /// Not signed in yet.
    pub fn new(server: &str) -> Self {
        Self {
            server: server.to_owned(),
            client: authed(server, None),
            refresh_token: None,
            refresh_at: None,
        }
    }

    fn take_pair(&mut self, pair: types::OperatorPairView) {
        self.client = authed(&self.server, Some(&pair.access_token));
        self.refresh_token = Some(pair.refresh_token);
        // Refresh a minute before the access token expires.
        let ttl = u64::try_from(pair.expires_in)
            .unwrap_or(0)
            .saturating_sub(60)
            .max(10);
        self.refresh_at = Some(Instant::now() + Duration::from_secs(ttl));
    }

    async fn refresh_if_due(&mut self) -> Result<(), Failure> {
        let (Some(at), Some(token)) = (self.refresh_at, self.refresh_token.clone()) else {
            return Ok(());
        };
        if Instant::now() < at {
            return Ok(());
        }
        let body = types::OperatorRefreshRequest {
            refresh_token: arg(&token, "the refresh token")?,
        };
        match self.client.operator_token_refresh(&body).await {
            Ok(p) => {
                self.take_pair(p.into_inner());
                Ok(())
            }
            Err(e) => Err(failure(e).await),
        }
    }

    /// Runs one command.
    pub async fn run(&mut self, cmd: Command) -> Result<Outcome, Failure> {
        if !matches!(cmd, Command::Login { .. }) {
            self.refresh_if_due().await?;
        }
        match self.exec(cmd).await {
            Ok(o) => Ok(o),
            Err(e) => Err(failure(e).await),
        }
    }

    async fn exec(
        &mut self,
        cmd: Command,
    ) -> Result<Outcome, platform_client::Error<platform_client::ByteStream>> {
        let bad = |f: Failure| platform_client::Error::InvalidRequest(f.message);
        let c = &self.client;
        Ok(match cmd {
            Command::Login {
                server,
                email,
                password,
                code,
            } => {
                self.server = server.trim_end_matches('/').to_owned();
                self.client = authed(&self.server, None);
                let ch = self
                    .client
                    .operator_login(&types::OperatorLoginRequest {
                        email: arg(&email, "the email").map_err(bad)?,
                        password: arg(&password, "the password").map_err(bad)?,
                    })
                    .await?
                    .into_inner();
                let pair = self
                    .client
                    .operator_login_mfa(&types::OperatorMfaRequest {
                        code: arg(&code, "the code").map_err(bad)?,
                        mfa_token: arg(&ch.mfa_token, "the MFA token").map_err(bad)?,
                    })
                    .await?
                    .into_inner();
                let (email, role) = (pair.user.email.clone(), pair.user.role.clone());
                self.take_pair(pair);
                Outcome::LoggedIn { email, role }
            }
            Command::Tenants => {
                let page = c.tenant_list(None, Some(500), None).await?.into_inner();
                Outcome::Tenants(
                    page.items
                        .into_iter()
                        .map(|t| Tenant {
                            slug: t.slug,
                            name: t.name,
                            status: t.status,
                        })
                        .collect(),
                )
            }
            Command::Members { tenant } => {
                let page = c
                    .tenant_member_list(&tenant, None, Some(200), None, None, None)
                    .await?
                    .into_inner();
                Outcome::Members(tenant, page.items.into_iter().map(member).collect())
            }
            Command::Sessions { tenant, user } => {
                let user = opt(user.as_ref(), "the member id").map_err(bad)?;
                let page = c
                    .tenant_admin_session_list(&tenant, None, Some(200), user.as_ref())
                    .await?
                    .into_inner();
                Outcome::Sessions(
                    tenant,
                    page.items
                        .into_iter()
                        .map(|s| Session {
                            id: s.id,
                            user_id: s.user_id,
                            ip: s.ip.unwrap_or_default(),
                            user_agent: s.user_agent.unwrap_or_default(),
                            created: s.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        })
                        .collect(),
                )
            }
            Command::Invitations { tenant } => {
                let all: types::TenantInvitationListStatus = arg("all", "status").map_err(bad)?;
                let page = c
                    .tenant_invitation_list(&tenant, None, Some(200), Some(&all))
                    .await?
                    .into_inner();
                Outcome::Invitations(
                    tenant,
                    page.items
                        .into_iter()
                        .map(|i| Invitation {
                            id: i.id,
                            email: i.email,
                            role: i.role,
                            status: i.status,
                        })
                        .collect(),
                )
            }
            Command::Audit { tenant } => {
                let page = c
                    .tenant_audit_event_list(&tenant, None, None, None, Some(200), None, None)
                    .await?
                    .into_inner();
                Outcome::Audit(
                    tenant,
                    page.items
                        .into_iter()
                        .map(|e| Event {
                            id: e.id,
                            time: e.occurred_at.format("%m-%d %H:%M:%S").to_string(),
                            actor: match &e.actor_id {
                                Some(id) => format!("{}:{}", e.actor_type, short(id)),
                                None => e.actor_type.clone(),
                            },
                            action: e.action,
                            outcome: e.outcome,
                            target: match (&e.target_type, &e.target_id) {
                                (Some(t), Some(id)) => format!("{t}:{}", short(id)),
                                _ => String::new(),
                            },
                            details: e.details.map(|d| d.to_string()).unwrap_or_default(),
                        })
                        .collect(),
                )
            }
            Command::Settings { tenant } => {
                let d = c.tenant_get(&tenant).await?.into_inner();
                let json = serde_json::to_value(&d.settings).unwrap_or_default();
                let lines = json
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
                    .unwrap_or_default();
                Outcome::Settings(tenant, lines)
            }
            Command::RevokeSession {
                tenant,
                session,
                reason,
            } => {
                let reason = opt(reason.as_ref(), "the reason").map_err(bad)?;
                c.tenant_admin_session_revoke(&tenant, &session, reason.as_ref())
                    .await?;
                Outcome::Did {
                    message: format!("session {} revoked", short(&session)),
                    reload: vec![Command::Sessions { tenant, user: None }],
                }
            }
            Command::RevokeUser {
                tenant,
                user,
                reason,
            } => {
                let reason = opt(reason.as_ref(), "the reason").map_err(bad)?;
                let n = c
                    .tenant_admin_member_sessions_revoke(&tenant, &user, reason.as_ref())
                    .await?
                    .into_inner();
                Outcome::Did {
                    message: format!("{} session(s) revoked", n.revoked),
                    reload: vec![Command::Sessions { tenant, user: None }],
                }
            }
            Command::UpdateMember {
                tenant,
                user,
                change,
                reason,
            } => {
                let mut patch = types::SupportMemberPatch {
                    force_password_reset: None,
                    reason: opt(reason.as_ref(), "the reason").map_err(bad)?,
                    reset_mfa: None,
                    role: None,
                    status: None,
                };
                let message = match &change {
                    MemberChange::ResetMfa => {
                        patch.reset_mfa = Some(true);
                        "MFA reset; their sessions ended".to_owned()
                    }
                    MemberChange::ForcePasswordReset => {
                        patch.force_password_reset = Some(true);
                        "password cleared; a reset link was emailed".to_owned()
                    }
                    MemberChange::Status(s) => {
                        patch.status = Some(arg(s, "the status").map_err(bad)?);
                        format!("member {s}")
                    }
                    MemberChange::Role(r) => {
                        patch.role = Some(arg(r, "the role").map_err(bad)?);
                        format!("role changed to {r}")
                    }
                };
                c.tenant_member_update(&tenant, &user, &patch).await?;
                Outcome::Did {
                    message,
                    reload: vec![Command::Members { tenant }],
                }
            }
            Command::Resend {
                tenant,
                invitation,
                reason,
            } => {
                let reason = opt(reason.as_ref(), "the reason").map_err(bad)?;
                c.tenant_invitation_resend(&tenant, &invitation, reason.as_ref())
                    .await?;
                Outcome::Did {
                    message: "invitation sent again".into(),
                    reload: vec![Command::Invitations { tenant }],
                }
            }
            Command::SetTenantStatus {
                tenant,
                status,
                reason,
            } => {
                c.tenant_update(
                    &tenant,
                    &types::TenantPatch {
                        name: None,
                        reason: opt(reason.as_ref(), "the reason").map_err(bad)?,
                        settings: None,
                        status: Some(arg(&status, "the status").map_err(bad)?),
                    },
                )
                .await?;
                Outcome::Did {
                    message: format!("tenant {tenant} is {status}"),
                    reload: vec![Command::Tenants],
                }
            }
            Command::DeleteTenant { tenant, reason } => {
                let confirm = arg(&tenant, "the slug").map_err(bad)?;
                let reason = opt(reason.as_ref(), "the reason").map_err(bad)?;
                c.tenant_delete(&tenant, &confirm, reason.as_ref()).await?;
                Outcome::Did {
                    message: format!("tenant {tenant} deleted"),
                    reload: vec![Command::Tenants],
                }
            }
            Command::CreateTenant { slug, owner } => {
                c.tenant_create(&types::TenantCreate {
                    name: None,
                    owner_email: opt(owner.as_ref(), "the owner's email").map_err(bad)?,
                    reason: None,
                    slug: arg(&slug, "the slug").map_err(bad)?,
                })
                .await?;
                Outcome::Did {
                    message: format!("tenant {slug} created"),
                    reload: vec![Command::Tenants],
                }
            }
            Command::Customers { query } => {
                let q = arg(&query, "the email").map_err(bad)?;
                let found = c.customer_search(&q).await?.into_inner();
                Outcome::Customers(
                    found
                        .items
                        .into_iter()
                        .map(|f| Customer {
                            tenant: f.tenant.slug,
                            member: member(f.user),
                        })
                        .collect(),
                    found.complete,
                )
            }
        })
    }
}

fn member(u: types::UserView) -> Member {
    Member {
        id: u.id,
        email: u.email,
        role: u.role,
        status: u.status.to_string(),
        mfa: u.mfa_enabled,
    }
}

/// The first 8 characters of an id, as shown in tables.
pub fn short(id: &str) -> String {
    id.chars().take(8).collect()
}
