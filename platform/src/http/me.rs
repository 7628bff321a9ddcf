//! `/v1/tenants/{tenant}/me...`: the signed-in user and their sessions; and the tenant's JWKS.

use super::text::Text;
use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    auth::{Op, UserAuth},
    problem::ApiError,
    views::UserView,
};
use crate::{accounts, app::AppState, crypto::jwt::Jwk};

#[derive(Tags)]
enum MeTags {
    /// The signed-in user's own account and sessions.
    Me,
    /// Keys that verify a tenant's access tokens.
    Keys,
}

/// One of the user's sessions.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// How the session was authenticated, e.g. `["pwd"]`.
    pub amr: Vec<String>,
    /// Whether this is the session of the token making the request.
    pub current: bool,
}

/// The user's live sessions, newest first.
#[derive(Object, Debug)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

/// A JSON Web Key Set.
#[derive(Object, Debug)]
pub struct JwkSet {
    /// The tenant's current key and the previous one (kept through a rotation's overlap).
    pub keys: Vec<JwkView>,
}

/// One Ed25519 public key (RFC 8037).
#[derive(Object, Debug)]
pub struct JwkView {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[oai(rename = "use")]
    pub use_: String,
}

impl From<&Jwk> for JwkView {
    fn from(j: &Jwk) -> Self {
        Self {
            kty: j.kty.clone(),
            crv: j.crv.clone(),
            x: j.x.clone(),
            kid: j.kid.clone(),
            alg: j.alg.clone(),
            use_: j.use_.clone(),
        }
    }
}

/// Changes to the signed-in user's profile.
#[derive(Object, Debug)]
pub struct MePatch {
    /// Display name (at most 200 characters); an empty string clears it.
    #[oai(validator(max_length = 800))]
    pub name: Text,
}

/// The current password and the new one.
#[derive(Object, Debug)]
pub struct PasswordChange {
    /// Required when the account has a password. An account without one (`has_password:
    /// false`) sets its first password without it, from a sign-in within the last 5 minutes.
    #[oai(validator(max_length = 1024))]
    pub current_password: Option<Text>,
    /// 8 to 256 characters.
    #[oai(validator(max_length = 1024))]
    pub new_password: Text,
}

/// Confirms a destructive change with the current password.
#[derive(Object, Debug)]
pub struct PasswordConfirmation {
    #[oai(validator(max_length = 1024))]
    pub password: Text,
}

#[derive(ApiResponse)]
enum MeResponse {
    /// The signed-in user.
    #[oai(status = 200)]
    Ok(Json<UserView>),
}

#[derive(ApiResponse)]
enum SessionsResponse {
    /// The sessions.
    #[oai(status = 200)]
    Ok(Json<SessionList>),
}

#[derive(ApiResponse)]
enum JwksResponse {
    /// The key set.
    #[oai(status = 200)]
    Ok(
        Json<JwkSet>,
        /// `public, max-age=300`: resource servers may keep the keys for 5 minutes (a rotation
        /// keeps the previous key verifying far longer, until the next rotation).
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// How long resource servers may cache a tenant's keys.
const JWKS_CACHE_CONTROL: &str = "public, max-age=300";

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// The signed-in user's API.
pub struct MeApi;

#[OpenApi]
impl MeApi {
    /// The signed-in user, with `tenant_id`, `role`, `mfa_enabled` and `email_verified`.
    #[oai(
        path = "/v1/tenants/:tenant/me",
        method = "get",
        operation_id = "me_get",
        tag = "MeTags::Me"
    )]
    async fn me(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<MeResponse, ApiError> {
        let a = &auth.0;
        let u = crate::users::current(&state.users, a.ctx.scope(), a.user_id).await?;
        Ok(MeResponse::Ok(Json(UserView::of(
            &u,
            a.ctx.scope().tenant_id(),
        ))))
    }

    /// Updates the signed-in user's profile (display name).
    #[oai(
        path = "/v1/tenants/:tenant/me",
        method = "patch",
        operation_id = "me_update",
        tag = "MeTags::Me"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<MePatch>,
    ) -> Result<MeResponse, ApiError> {
        let a = &auth.0;
        let u = accounts::profile::set_name(&a.ctx, a.user_id, &body.name).await?;
        Ok(MeResponse::Ok(Json(UserView::of(
            &u,
            a.ctx.scope().tenant_id(),
        ))))
    }

    /// Deletes the signed-in user's account, its sessions and tokens. Needs the password; the
    /// tenant's last owner cannot delete themselves (`409 last_owner`).
    #[oai(
        path = "/v1/tenants/:tenant/me",
        method = "delete",
        operation_id = "me_delete",
        tag = "MeTags::Me"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<PasswordConfirmation>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        accounts::profile::delete(&state.accounts, &a.ctx, a.user_id, &body.password).await?;
        Ok(NoContent::Done)
    }

    /// Changes the password. Needs the current one; every other session is revoked and a
    /// "password changed" notice is emailed. An account without a password (`has_password:
    /// false`) sets its first one without `current_password`, from a sign-in within the last
    /// 5 minutes (else `403 reauthentication_required`).
    #[oai(
        path = "/v1/tenants/:tenant/me/password",
        method = "post",
        operation_id = "my_password_change",
        tag = "MeTags::Me"
    )]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<PasswordChange>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        accounts::profile::change_password(
            &state.accounts,
            &a.ctx,
            a.user_id,
            a.session_id,
            body.current_password.as_deref(),
            &body.new_password,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// The signed-in user's live sessions: created, last seen, IP, user agent, current.
    #[oai(
        path = "/v1/tenants/:tenant/me/sessions",
        method = "get",
        operation_id = "my_sessions_list",
        tag = "MeTags::Me"
    )]
    async fn sessions(
        &self,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<SessionsResponse, ApiError> {
        let a = &auth.0;
        let rows = crate::sessions::list(a.ctx.scope(), a.user_id).await?;
        let items = rows
            .into_iter()
            .map(|s| SessionView {
                current: s.id == a.session_id,
                id: s.id.to_string(),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at.min(s.idle_expires_at),
                ip: s.ip,
                user_agent: s.user_agent,
                amr: serde_json::from_str(&s.amr).unwrap_or_default(),
            })
            .collect();
        Ok(SessionsResponse::Ok(Json(SessionList { items })))
    }

    /// Revokes one of the signed-in user's sessions; its tokens stop working at once.
    #[oai(
        path = "/v1/tenants/:tenant/me/sessions/:session_id",
        method = "delete",
        operation_id = "my_session_revoke",
        tag = "MeTags::Me"
    )]
    async fn revoke(
        &self,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        /// The session's id.
        session_id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        let a = &auth.0;
        accounts::profile::revoke_session(&a.ctx, a.user_id, session_id.0).await?;
        Ok(NoContent::Done)
    }

    /// The public keys that verify this tenant's access tokens (`kid` in the token header).
    #[oai(
        path = "/v1/tenants/:tenant/.well-known/jwks.json",
        method = "get",
        operation_id = "jwks_get",
        tag = "MeTags::Keys"
    )]
    async fn jwks(
        &self,
        state: Data<&AppState>,
        op: Op,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<JwksResponse, ApiError> {
        let keys = state.keys.for_tenant(op.0.scope()).await?;
        Ok(JwksResponse::Ok(
            Json(JwkSet {
                keys: keys.jwks.iter().map(JwkView::from).collect(),
            }),
            JWKS_CACHE_CONTROL.to_owned(),
        ))
    }
}
