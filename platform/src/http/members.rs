//! `/v1/tenants/{tenant}/members...` and `/auth/invitations/accept`: a tenant's admins manage
//! members and invitations; invited people join. Each operation names the permission it needs
//! and checks it through [`crate::authz::require`]; lacking it is `403 forbidden`.

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
use uuid::Uuid;

use super::{
    auth::{Op, UserAuth},
    problem::ApiError,
    views::{TokenPairView, UserView},
};
use crate::{
    app::AppState,
    authz::{self, MemberSupport, MembersRead, MembersWrite, SessionsRevoke},
    error::Error,
    members::invitation_mail::status as invitation_status,
    members::{self, invitations, sessions},
    store::entities::invitation,
};

#[derive(Tags)]
enum MemberTags {
    /// A tenant's members and invitations (tenant admins).
    Members,
}

/// A page of members.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// A change of a member's role and/or status.
#[derive(Object, Debug)]
pub struct MemberPatch {
    /// A built-in role (`owner`, `admin`, `member`, `viewer`, `guest`) or a custom one.
    #[oai(validator(max_length = 40))]
    pub role: Option<Text>,
    /// `active` or `disabled` (disabling revokes every session of the member at once).
    #[oai(validator(max_length = 20))]
    pub status: Option<Text>,
}

/// Whom to invite, and as what.
#[derive(Object, Debug)]
pub struct InvitationRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 40))]
    pub role: Text,
}

/// An invitation.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub role: String,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The member who sent it (absent: the platform).
    pub invited_by: Option<String>,
}

impl From<&invitation::Model> for InvitationView {
    fn from(i: &invitation::Model) -> Self {
        Self {
            id: i.id.to_string(),
            email: i.email.clone(),
            role: i.role.to_string(),
            status: invitation_status(i).into(),
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            revoked_at: i.revoked_at,
            invited_by: i.invited_by.map(|u| u.to_string()),
        }
    }
}

/// A page of invitations.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationPage {
    pub items: Vec<InvitationView>,
    pub next_cursor: Option<String>,
}

/// The emailed invitation token, the new member's password and (optionally) name.
#[derive(Object, Debug)]
pub struct AcceptRequest {
    #[oai(validator(max_length = 256))]
    pub token: Text,
    /// Subject to the tenant's password policy.
    #[oai(validator(max_length = 1024))]
    pub password: Text,
    #[oai(validator(max_length = 800))]
    pub name: Option<Text>,
}

/// How many sessions were revoked.
#[derive(Object, Debug)]
pub struct RevokedCount {
    pub revoked: u32,
}

#[derive(ApiResponse)]
enum MemberPageResponse {
    /// Members, in order of joining.
    #[oai(status = 200)]
    Ok(Json<MemberPage>),
}

#[derive(ApiResponse)]
enum MemberResponse {
    /// The member.
    #[oai(status = 200)]
    Ok(Json<UserView>),
}

#[derive(ApiResponse)]
enum InvitationResponse {
    /// The invitation (its link was emailed).
    #[oai(status = 200)]
    Ok(Json<InvitationView>),
    /// Created; the link was emailed.
    #[oai(status = 201)]
    Created(Json<InvitationView>),
}

#[derive(ApiResponse)]
enum InvitationPageResponse {
    /// Invitations, newest first.
    #[oai(status = 200)]
    Ok(Json<InvitationPage>),
}

#[derive(ApiResponse)]
enum PairResponse {
    /// Joined and signed in.
    #[oai(status = 200)]
    Ok(Json<TokenPairView>),
}

#[derive(ApiResponse)]
enum RevokedResponse {
    /// Done.
    #[oai(status = 200)]
    Ok(Json<RevokedCount>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// An id from the path; a malformed one is simply not found.
pub fn path_id(raw: &str, what: &'static str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound(what))
}

/// The members and invitations API.
pub struct MembersApi;

#[OpenApi(tag = "MemberTags::Members")]
impl MembersApi {
    /// Lists members in order of joining (`members:read`): `q` searches email and name,
    /// `role` and `status` filter; pages of `limit` (1–200, default 50) follow `next_cursor`.
    #[oai(
        path = "/v1/tenants/:tenant/members",
        method = "get",
        operation_id = "member_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        #[oai(validator(max_length = 40))] role: Query<Option<String>>,
        #[oai(validator(max_length = 20))] status: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<MemberPageResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersRead>(&state.users, &a.ctx).await?;
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
        let tenant_id = a.ctx.scope().tenant_id();
        Ok(MemberPageResponse::Ok(Json(MemberPage {
            items: page
                .items
                .iter()
                .map(|u| UserView::of(u, tenant_id))
                .collect(),
            next_cursor: page.next_cursor,
        })))
    }

    /// One member (`members:read`).
    #[oai(
        path = "/v1/tenants/:tenant/members/:user_id",
        method = "get",
        operation_id = "member_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<MemberResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersRead>(&state.users, &a.ctx).await?;
        let u = members::get(&granted, path_id(&user_id, "member")?).await?;
        Ok(MemberResponse::Ok(Json(UserView::of(
            &u,
            a.ctx.scope().tenant_id(),
        ))))
    }

    /// Changes a member's role and/or status (`members:write`). Only owners grant, change or
    /// remove the owner role; the last active owner can be neither demoted nor disabled
    /// (`409 last_owner`). Disabling revokes the member's sessions at once.
    #[oai(
        path = "/v1/tenants/:tenant/members/:user_id",
        method = "patch",
        operation_id = "member_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        user_id: Path<String>,
        body: Json<MemberPatch>,
    ) -> Result<MemberResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersWrite>(&state.users, &a.ctx).await?;
        let u = members::update(
            &granted,
            path_id(&user_id, "member")?,
            &members::Change {
                role: body.0.role.as_deref().map(crate::roles::Role::named),
                status: body.0.status.map(String::from),
            },
        )
        .await?;
        Ok(MemberResponse::Ok(Json(UserView::of(
            &u,
            a.ctx.scope().tenant_id(),
        ))))
    }

    /// Removes a member and their sessions, tokens and second factors (`members:write`); the
    /// audit log keeps their events. The last owner cannot be removed (`409 last_owner`).
    #[oai(
        path = "/v1/tenants/:tenant/members/:user_id",
        method = "delete",
        operation_id = "member_remove"
    )]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersWrite>(&state.users, &a.ctx).await?;
        members::remove(&granted, path_id(&user_id, "member")?).await?;
        Ok(NoContent::Done)
    }

    /// Revokes every session of a member at once (`sessions:revoke`).
    #[oai(
        path = "/v1/tenants/:tenant/members/:user_id/sessions",
        method = "delete",
        operation_id = "member_sessions_revoke"
    )]
    async fn revoke_sessions(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        user_id: Path<String>,
    ) -> Result<RevokedResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SessionsRevoke>(&state.users, &a.ctx).await?;
        let n = sessions::revoke_user(&granted, path_id(&user_id, "member")?).await?;
        Ok(RevokedResponse::Ok(Json(RevokedCount {
            revoked: u32::try_from(n).unwrap_or(u32::MAX),
        })))
    }

    /// Invites someone by email with a role (`members:write`; only owners invite owners). The
    /// emailed link ends in `token=…`, lives 7 days and works once. Inviting an address with a
    /// pending invitation replaces it; an existing member is `409 already_member`.
    #[oai(
        path = "/v1/tenants/:tenant/members/invitations",
        method = "post",
        operation_id = "invitation_create"
    )]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<InvitationRequest>,
    ) -> Result<InvitationResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersWrite>(&state.users, &a.ctx).await?;
        let inv = invitations::create(
            &granted,
            &state.mailer,
            &body.email,
            &crate::roles::Role::named(&body.role),
        )
        .await?;
        Ok(InvitationResponse::Created(Json((&inv).into())))
    }

    /// Lists invitations, newest first (`members:read`); `status` is `pending` (default),
    /// `accepted`, `revoked`, `expired` or `all`.
    #[oai(
        path = "/v1/tenants/:tenant/members/invitations",
        method = "get",
        operation_id = "invitation_list"
    )]
    async fn invitations(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        #[oai(validator(max_length = 20))] status: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<InvitationPageResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersRead>(&state.users, &a.ctx).await?;
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

    /// Sends an invitation again with a new link and a new 7-day life (`members:write`); the
    /// previous link stops working.
    ///
    /// Formerly `POST /members/invitations/{invitation_id}/resend`, which still works but is
    /// deprecated (its path was ambiguous beside `/members/{user_id}/sessions`).
    #[oai(
        path = "/v1/tenants/:tenant/invitations/:invitation_id/resend",
        method = "post",
        operation_id = "invitation_resend"
    )]
    async fn resend(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        invitation_id: Path<String>,
    ) -> Result<InvitationResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MemberSupport>(&state.users, &a.ctx).await?;
        let inv = invitations::resend(
            &granted,
            &state.mailer,
            path_id(&invitation_id, "invitation")?,
        )
        .await?;
        Ok(InvitationResponse::Ok(Json((&inv).into())))
    }

    /// Revokes an invitation (`members:write`): its link stops working.
    ///
    /// Formerly `DELETE /members/invitations/{invitation_id}`, which still works but is
    /// deprecated (its path was ambiguous beside `/members/{user_id}/sessions`).
    #[oai(
        path = "/v1/tenants/:tenant/invitations/:invitation_id",
        method = "delete",
        operation_id = "invitation_revoke"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        invitation_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<MembersWrite>(&state.users, &a.ctx).await?;
        invitations::revoke(&granted, path_id(&invitation_id, "invitation")?).await?;
        Ok(NoContent::Done)
    }

    /// Deprecated path of `invitation_resend`, kept for existing clients and left out of
    /// the document (it was ambiguous beside `/members/{user_id}/sessions`).
    #[oai(
        path = "/v1/tenants/:tenant/members/invitations/:invitation_id/resend",
        method = "post",
        operation_id = "invitation_resend_deprecated",
        hidden
    )]
    async fn resend_at_old_path(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        req: &Request,
        tenant: Path<String>,
        invitation_id: Path<String>,
    ) -> Result<InvitationResponse, ApiError> {
        self.resend(state, auth, req, tenant, invitation_id).await
    }

    /// Deprecated path of `invitation_revoke`, kept for existing clients and left out of the
    /// document (it was ambiguous beside `/members/{user_id}/sessions`).
    #[oai(
        path = "/v1/tenants/:tenant/members/invitations/:invitation_id",
        method = "delete",
        operation_id = "invitation_revoke_deprecated",
        hidden
    )]
    async fn revoke_at_old_path(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        req: &Request,
        tenant: Path<String>,
        invitation_id: Path<String>,
    ) -> Result<NoContent, ApiError> {
        self.revoke(state, auth, req, tenant, invitation_id).await
    }

    /// Accepts an emailed invitation: creates the member (email verified, the invited role)
    /// with this password and signs them in. A used, revoked or expired token is `401
    /// invalid_invitation`.
    #[oai(
        path = "/v1/tenants/:tenant/auth/invitations/accept",
        method = "post",
        operation_id = "invitation_accept"
    )]
    async fn accept(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<AcceptRequest>,
    ) -> Result<PairResponse, ApiError> {
        let pair = invitations::accept(
            &state.accounts,
            &op.0,
            &body.token,
            &body.password,
            body.name.as_deref(),
        )
        .await?;
        Ok(PairResponse::Ok(Json(pair.into())))
    }
}
