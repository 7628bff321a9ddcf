//! `/v1/admin/tenants/{tenant}/...`: operators' support actions inside one tenant: members
//! (role and status need the `admin` operator role; MFA reset and forced password reset need
//! `support`), sessions, invitations and the tenant's audit log. Every action is recorded in the
//! tenant's log (actor = the operator) and in the operators' log, with the optional `reason`.

// poem-openapi takes every query parameter as its own argument.
#![allow(clippy::too_many_arguments)]

use super::text::Text;
use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{
    admin_sessions::{TenantSessionPage, TenantSessionView},
    audit::{AuditEventView, AuditPage},
    auth::request_meta,
    members::{InvitationPage, InvitationView, MemberPage, RevokedCount, path_id},
    operator_auth::OperatorAuth,
    problem::ApiError,
    views::UserView,
};
use crate::{
    app::AppState,
    audit::query::{self, Filter},
    authz::{
        self, AuditRead, MemberSupport, MembersRead, MembersWrite, SessionsRead, SessionsRevoke,
    },
    error::Error,
    members::{self, invitations, sessions},
    operators::{audit::parse_reason, support},
};

#[derive(Tags)]
enum SupportTags {
    /// Operators' support actions inside a tenant.
    AdminSupport,
}

/// Support actions on one member; each field is optional, and several may be sent at once.
#[derive(Object, Debug)]
pub struct SupportMemberPatch {
    /// A new role (`admin` operators).
    #[oai(validator(max_length = 40))]
    pub role: Option<Text>,
    /// `active` or `disabled` (`admin` operators; disabling revokes their sessions).
    #[oai(validator(max_length = 20))]
    pub status: Option<Text>,
    /// Erase the member's second factor so they can enrol again (their sessions end).
    pub reset_mfa: Option<bool>,
    /// Clear the password, end every session, and email a reset link.
    pub force_password_reset: Option<bool>,
    /// Why, for both audit logs.
    #[oai(validator(max_length = 2000))]
    pub reason: Option<Text>,
}

#[derive(ApiResponse)]
enum MemberPageResponse {
    /// Members, in order of joining.
    #[oai(status = 200)]
    Ok(Json<MemberPage>),
}

#[derive(ApiResponse)]
enum MemberResponse {
    /// The member after the change.
    #[oai(status = 200)]
    Ok(Json<UserView>),
}

#[derive(ApiResponse)]
enum SessionPageResponse {
    /// Live sessions, newest first.
    #[oai(status = 200)]
    Ok(Json<TenantSessionPage>),
}

#[derive(ApiResponse)]
enum InvitationPageResponse {
    /// Invitations, newest first.
    #[oai(status = 200)]
    Ok(Json<InvitationPage>),
}

#[derive(ApiResponse)]
enum InvitationResponse {
    /// Sent again with a new link.
    #[oai(status = 200)]
    Ok(Json<InvitationView>),
}

#[derive(ApiResponse)]
enum AuditResponse {
    /// Events, newest first.
    #[oai(status = 200)]
    Ok(Json<AuditPage>),
}

#[derive(ApiResponse)]
enum RevokedResponse {
    /// How many sessions ended.
    #[oai(status = 200)]
    Ok(Json<RevokedCount>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Revoked: its tokens stop working at once.
    #[oai(status = 204)]
    Done,
}

/// The operators' per-tenant support API.
pub struct AdminSupportApi;

#[OpenApi(tag = "SupportTags::AdminSupport")]
impl AdminSupportApi {
    /// A tenant's members (search with `q`, filter by `role` and `status`).
    #[oai(
        path = "/v1/admin/tenants/:tenant/members",
        method = "get",
        operation_id = "tenant_member_list"
    )]
    async fn members(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        #[oai(validator(max_length = 40))] role: Query<Option<String>>,
        #[oai(validator(max_length = 20))] status: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<MemberPageResponse, ApiError> {
        let ctx = support::open(&state.tenants, &tenant, &auth.0, request_meta(req), None).await?;
        let granted = authz::grant_operator::<MembersRead>(&auth.0, &ctx).await?;
        let page = members::list(
            &granted,
            &members::Filter {
                q: q.0,
                role: role.0,
                status: status.0,
                cursor: cursor.0,
                limit: limit.0,
            },
        )
        .await?;
        Ok(MemberPageResponse::Ok(Json(MemberPage {
            items: page
                .items
                .iter()
                .map(|u| UserView::of(u, ctx.tenant().id))
                .collect(),
            next_cursor: page.next_cursor,
        })))
    }

    /// Support actions on a member: role and status (`admin` operators), MFA reset and forced
    /// password reset (`support`), applied in that order after every input is checked. The last
    /// owner cannot be demoted or disabled.
    #[oai(
        path = "/v1/admin/tenants/:tenant/members/:user_id",
        method = "patch",
        operation_id = "tenant_member_update"
    )]
    async fn update_member(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        user_id: Path<String>,
        body: Json<SupportMemberPatch>,
    ) -> Result<MemberResponse, ApiError> {
        let b = &body.0;
        let reason = parse_reason(b.reason.as_deref())?;
        let ctx =
            support::open(&state.tenants, &tenant, &auth.0, request_meta(req), reason).await?;
        let id = path_id(&user_id, "member")?;
        let support = authz::grant_operator::<MemberSupport>(&auth.0, &ctx).await?;
        let changes = b.role.is_some() || b.status.is_some();
        let write = if changes {
            Some(authz::grant_operator::<MembersWrite>(&auth.0, &ctx).await?)
        } else {
            None
        };
        let u = members::support::apply(
            &support,
            write.as_ref(),
            &state.mailer,
            id,
            &members::support::Actions {
                change: changes.then(|| members::Change {
                    role: b.role.as_deref().map(crate::roles::Role::named),
                    status: b.status.clone().map(String::from),
                }),
                reset_mfa: b.reset_mfa == Some(true),
                force_password_reset: b.force_password_reset == Some(true),
            },
        )
        .await?;
        Ok(MemberResponse::Ok(Json(UserView::of(&u, ctx.tenant().id))))
    }

    /// A tenant's live sessions, newest first (`user_id` narrows to one member).
    #[oai(
        path = "/v1/admin/tenants/:tenant/sessions",
        method = "get",
        operation_id = "tenant_admin_session_list"
    )]
    async fn sessions(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        #[oai(validator(max_length = 64))] user_id: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<SessionPageResponse, ApiError> {
        let ctx = support::open(&state.tenants, &tenant, &auth.0, request_meta(req), None).await?;
        let granted = authz::grant_operator::<SessionsRead>(&auth.0, &ctx).await?;
        let user = match user_id.0.as_deref() {
            Some(raw) => Some(
                uuid::Uuid::parse_str(raw)
                    .map_err(|_| Error::invalid_param("user_id", "user_id is a member id"))?,
            ),
            None => None,
        };
        let (items, next_cursor) =
            sessions::list(&granted, user, cursor.0.as_deref(), limit.0).await?;
        Ok(SessionPageResponse::Ok(Json(TenantSessionPage {
            items: items.iter().map(TenantSessionView::from).collect(),
            next_cursor,
        })))
    }

    /// Revokes one session of a tenant (`support`).
    #[oai(
        path = "/v1/admin/tenants/:tenant/sessions/:session_id",
        method = "delete",
        operation_id = "tenant_admin_session_revoke"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        session_id: Path<String>,
        #[oai(validator(max_length = 2000))] reason: Query<Option<String>>,
    ) -> Result<NoContent, ApiError> {
        let reason = parse_reason(reason.0.as_deref())?;
        let ctx =
            support::open(&state.tenants, &tenant, &auth.0, request_meta(req), reason).await?;
        let granted = authz::grant_operator::<SessionsRevoke>(&auth.0, &ctx).await?;
        sessions::revoke(&granted, path_id(&session_id, "session")?).await?;
        Ok(NoContent::Done)
    }

    /// Revokes every session of one member (`support`).
    #[oai(
        path = "/v1/admin/tenants/:tenant/members/:user_id/sessions",
        method = "delete",
        operation_id = "tenant_admin_member_sessions_revoke"
    )]
    async fn revoke_all(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        user_id: Path<String>,
        #[oai(validator(max_length = 2000))] reason: Query<Option<String>>,
    ) -> Result<RevokedResponse, ApiError> {
        let reason = parse_reason(reason.0.as_deref())?;
        let ctx =
            support::open(&state.tenants, &tenant, &auth.0, request_meta(req), reason).await?;
        let granted = authz::grant_operator::<SessionsRevoke>(&auth.0, &ctx).await?;
        let n = sessions::revoke_user(&granted, path_id(&user_id, "member")?).await?;
        Ok(RevokedResponse::Ok(Json(RevokedCount {
            revoked: u32::try_from(n).unwrap_or(u32::MAX),
        })))
    }

    /// A tenant's invitations (`status`: `pending` by default, or `accepted`, `revoked`,
    /// `expired`, `all`).
    #[oai(
        path = "/v1/admin/tenants/:tenant/invitations",
        method = "get",
        operation_id = "tenant_invitation_list"
    )]
    async fn invitations(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        #[oai(validator(max_length = 20))] status: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<InvitationPageResponse, ApiError> {
        let ctx = support::open(&state.tenants, &tenant, &auth.0, request_meta(req), None).await?;
        let granted = authz::grant_operator::<MembersRead>(&auth.0, &ctx).await?;
        let (items, next_cursor) = invitations::list(
            &granted,
            &invitations::Filter {
                status: status.0,
                cursor: cursor.0,
                limit: limit.0,
            },
        )
        .await?;
        Ok(InvitationPageResponse::Ok(Json(InvitationPage {
            items: items.iter().map(Into::into).collect(),
            next_cursor,
        })))
    }

    /// Sends an invitation again with a new link and a new 7-day life (`support`).
    #[oai(
        path = "/v1/admin/tenants/:tenant/invitations/:invitation_id/resend",
        method = "post",
        operation_id = "tenant_invitation_resend"
    )]
    async fn resend(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        invitation_id: Path<String>,
        #[oai(validator(max_length = 2000))] reason: Query<Option<String>>,
    ) -> Result<InvitationResponse, ApiError> {
        let reason = parse_reason(reason.0.as_deref())?;
        let ctx =
            support::open(&state.tenants, &tenant, &auth.0, request_meta(req), reason).await?;
        let granted = authz::grant_operator::<MemberSupport>(&auth.0, &ctx).await?;
        let inv = invitations::resend(
            &granted,
            &state.mailer,
            path_id(&invitation_id, "invitation")?,
        )
        .await?;
        Ok(InvitationResponse::Ok(Json((&inv).into())))
    }

    /// A tenant's audit log, newest first, with the filters of `GET /v1/tenants/{tenant}/audit-events`.
    #[oai(
        path = "/v1/admin/tenants/:tenant/audit-events",
        method = "get",
        operation_id = "tenant_audit_event_list"
    )]
    async fn audit(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        #[oai(validator(max_length = 64))] actor: Query<Option<String>>,
        #[oai(validator(max_length = 100))] action: Query<Option<String>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<AuditResponse, ApiError> {
        let ctx = support::open(&state.tenants, &tenant, &auth.0, request_meta(req), None).await?;
        let granted = authz::grant_operator::<AuditRead>(&auth.0, &ctx).await?;
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
        Ok(AuditResponse::Ok(Json(AuditPage {
            items: page.items.iter().map(AuditEventView::from).collect(),
            next_cursor: page.next_cursor,
        })))
    }
}
