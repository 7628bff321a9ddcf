//! `/v1/tenants/{tenant}/sessions...`: every session in the tenant, for its admins.

// poem-openapi takes every query parameter as its own argument.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{auth::UserAuth, members::path_id, problem::ApiError};
use crate::{
    app::AppState,
    authz::{self, SessionsRead, SessionsRevoke},
    members::sessions,
    store::entities::session,
};

#[derive(Tags)]
enum SessionTags {
    /// Every session of a tenant (tenant admins).
    Sessions,
}

/// A session of some member of the tenant.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantSessionView {
    pub id: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// How the session was authenticated, e.g. `["pwd","totp","mfa"]`.
    pub amr: Vec<String>,
}

impl From<&session::Model> for TenantSessionView {
    fn from(s: &session::Model) -> Self {
        Self {
            id: s.id.to_string(),
            user_id: s.user_id.to_string(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at.min(s.idle_expires_at),
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
            amr: serde_json::from_str(&s.amr).unwrap_or_default(),
        }
    }
}

/// A page of sessions.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantSessionPage {
    pub items: Vec<TenantSessionView>,
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum PageResponse {
    /// Live sessions, newest first.
    #[oai(status = 200)]
    Ok(Json<TenantSessionPage>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Revoked: its tokens stop working at once.
    #[oai(status = 204)]
    Done,
}

/// The tenant sessions API.
pub struct AdminSessionsApi;

#[OpenApi(tag = "SessionTags::Sessions")]
impl AdminSessionsApi {
    /// Lists the tenant's live sessions, newest first (`sessions:read`); `user_id` narrows to
    /// one member.
    #[oai(
        path = "/v1/tenants/:tenant/sessions",
        method = "get",
        operation_id = "tenant_session_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        #[oai(validator(max_length = 64))] user_id: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<PageResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SessionsRead>(&state.users, &a.ctx).await?;
        let user = match user_id.0.as_deref() {
            Some(raw) => Some(uuid::Uuid::parse_str(raw).map_err(|_| {
                crate::error::Error::invalid_param("user_id", "user_id is a member id")
            })?),
            None => None,
        };
        let (items, next_cursor) =
            sessions::list(&granted, user, cursor.0.as_deref(), limit.0).await?;
        Ok(PageResponse::Ok(Json(TenantSessionPage {
            items: items.iter().map(Into::into).collect(),
            next_cursor,
        })))
    }

    /// Revokes one session of any member (`sessions:revoke`).
    #[oai(
        path = "/v1/tenants/:tenant/sessions/:session_id",
        method = "delete",
        operation_id = "tenant_session_revoke"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        session_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SessionsRevoke>(&state.users, &a.ctx).await?;
        sessions::revoke(&granted, path_id(&session_id, "session")?).await?;
        Ok(NoContent::Done)
    }
}
