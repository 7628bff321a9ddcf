//! `/v1/tenants/{tenant}/audit-events`: the tenant's audit log, newest first.

// poem-openapi takes every query parameter as its own argument.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{auth::UserAuth, problem::ApiError};
use crate::{
    app::AppState,
    audit::query::{self, Filter},
    authz::{self, AuditRead},
    store::entities::audit_event,
};

#[derive(Tags)]
enum AuditTags {
    /// A tenant's audit log (tenant admins).
    Audit,
}

/// One audit event.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEventView {
    pub id: String,
    /// Position in the tenant's hash chain.
    pub seq: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `operator`, `system` or `anonymous`.
    pub actor_type: String,
    pub actor_id: Option<String>,
    /// A dotted name such as `auth.login`, `member.role_changed`, `invitation.created`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// Event-specific facts (never secrets).
    pub details: Option<serde_json::Value>,
    /// The previous event's hash (empty for the first event).
    pub prev_hash: Option<String>,
    /// SHA-256 of this event's fields and `prev_hash`.
    pub hash: Option<String>,
}

impl From<&audit_event::Model> for AuditEventView {
    fn from(e: &audit_event::Model) -> Self {
        Self {
            id: e.id.to_string(),
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_type: e.actor_type.clone(),
            actor_id: e.actor_id.clone(),
            action: e.action.clone(),
            target_type: e.target_type.clone(),
            target_id: e.target_id.clone(),
            outcome: e.outcome.clone(),
            ip: e.ip.clone(),
            user_agent: e.user_agent.clone(),
            request_id: e.request_id.clone(),
            details: e
                .details
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok()),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A page of events.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    /// Pass as `cursor` for older events; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum PageResponse {
    /// Events, newest first.
    #[oai(status = 200)]
    Ok(Json<AuditPage>),
}

/// The tenant audit-log API.
pub struct AuditApi;

#[OpenApi(tag = "AuditTags::Audit")]
impl AuditApi {
    /// Reads the audit log, newest first (`audit:read`). `actor`: a user or operator id, or
    /// `system`/`anonymous`; `action`: exact (`auth.login`) or a prefix ending in `.`
    /// (`member.`); `since` (inclusive) and `until` (exclusive) are RFC 3339 times; `limit` is
    /// 1–200 (default 50).
    #[oai(
        path = "/v1/tenants/:tenant/audit-events",
        method = "get",
        operation_id = "audit_event_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        #[oai(validator(max_length = 64))] actor: Query<Option<String>>,
        #[oai(validator(max_length = 100))] action: Query<Option<String>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<PageResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<AuditRead>(&state.users, &a.ctx).await?;
        let page = query::list(
            &granted,
            &Filter {
                actor: actor.0,
                action: action.0,
                since: since.0,
                until: until.0,
                cursor: cursor.0,
                limit: limit.0,
            },
        )
        .await?;
        Ok(PageResponse::Ok(Json(AuditPage {
            items: page.items.iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        })))
    }
}
