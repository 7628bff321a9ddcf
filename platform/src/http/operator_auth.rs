//! `/v1/admin/auth/...` and the operator bearer scheme: operators sign in with password and
//! TOTP, always; their tokens are signed with the platform key, so they never work on tenant
//! paths, and tenant tokens never work here. Every failure is the same 401.

use super::text::Text;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, SecurityScheme, Tags, auth::Bearer, payload::Json,
};

use super::{auth::request_meta, problem::ApiError};
use crate::{
    app::AppState,
    authz::OperatorCaller,
    error::Error,
    operators::auth::{self, OperatorPair},
};

#[derive(Tags)]
enum OperatorAuthTags {
    /// Operator sign-in (platform support staff).
    AdminAuth,
}

/// An operator access token from `POST /v1/admin/auth/login/mfa`, as `Authorization: Bearer`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct OperatorAuth(pub OperatorCaller);

fn refused() -> poem::Error {
    poem::Error::from_response(poem::IntoResponse::into_response(ApiError::from(
        Error::unauthorized(),
    )))
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<OperatorCaller> {
    let Some(state) = req.data::<AppState>() else {
        return Err(refused());
    };
    if bearer.token.len() > 8 * 1024 {
        return Err(refused());
    }
    match auth::authenticate(&state.console, &bearer.token, 30).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(refused()),
        Err(e) => Err(poem::Error::from_response(
            poem::IntoResponse::into_response(ApiError::from(e)),
        )),
    }
}

/// Email and password of an operator.
#[derive(Object, Debug)]
pub struct OperatorLoginRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 1024))]
    pub password: Text,
}

/// The `mfa_token` of the login and a TOTP code.
#[derive(Object, Debug)]
pub struct OperatorMfaRequest {
    #[oai(validator(max_length = 128))]
    pub mfa_token: Text,
    #[oai(validator(max_length = 16))]
    pub code: Text,
}

/// A refresh token of an operator session.
#[derive(Object, Debug)]
pub struct OperatorRefreshRequest {
    #[oai(validator(max_length = 256))]
    pub refresh_token: Text,
}

/// The password was right: complete with a TOTP code at `POST /v1/admin/auth/login/mfa`.
#[derive(Object, Debug)]
pub struct OperatorChallengeView {
    /// Always `true`: operators always use a second factor.
    pub mfa_required: bool,
    pub mfa_token: String,
    /// Always `["totp"]`.
    pub methods: Vec<String>,
    pub expires_in: u32,
}

/// An operator.
#[derive(Object, Debug)]
pub struct OperatorView {
    pub id: String,
    pub email: String,
    /// `support` or `admin`.
    pub role: String,
    pub status: String,
}

/// An operator's token pair.
#[derive(Object, Debug)]
pub struct OperatorPairView {
    /// A JWT signed with the platform key; refused on tenant paths.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_in: u32,
    /// Opaque, single use.
    pub refresh_token: String,
    pub session_id: String,
    pub user: OperatorView,
}

impl From<OperatorPair> for OperatorPairView {
    fn from(p: OperatorPair) -> Self {
        Self {
            access_token: p.access_token,
            token_type: "Bearer".into(),
            expires_in: p.expires_in,
            refresh_token: p.refresh_token,
            session_id: p.session_id.to_string(),
            user: OperatorView {
                id: p.operator.id.to_string(),
                email: p.operator.email,
                role: p.operator.role,
                status: p.operator.status,
            },
        }
    }
}

#[derive(ApiResponse)]
enum ChallengeResponse {
    /// The password was right; the second factor is next.
    #[oai(status = 200)]
    Ok(Json<OperatorChallengeView>),
}

#[derive(ApiResponse)]
enum PairResponse {
    /// Signed in.
    #[oai(status = 200)]
    Ok(Json<OperatorPairView>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// The session has ended.
    #[oai(status = 204)]
    Done,
}

/// The operator sign-in API.
pub struct OperatorAuthApi;

#[OpenApi(tag = "OperatorAuthTags::AdminAuth")]
impl OperatorAuthApi {
    /// Checks an operator's password; the answer is always a TOTP challenge. A wrong password
    /// and an unknown email fail alike (`401 invalid_credentials`) and are throttled.
    #[oai(
        path = "/v1/admin/auth/login",
        method = "post",
        operation_id = "operator_login"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<OperatorLoginRequest>,
    ) -> Result<ChallengeResponse, ApiError> {
        let ch = auth::login(
            &state.console,
            &request_meta(req),
            &body.email,
            &body.password,
        )
        .await?;
        Ok(ChallengeResponse::Ok(Json(OperatorChallengeView {
            mfa_required: true,
            mfa_token: ch.mfa_token,
            methods: vec!["totp".into()],
            expires_in: ch.expires_in,
        })))
    }

    /// Completes an operator login with a TOTP code (each accepted once, ±30 s).
    #[oai(
        path = "/v1/admin/auth/login/mfa",
        method = "post",
        operation_id = "operator_login_mfa"
    )]
    async fn login_mfa(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<OperatorMfaRequest>,
    ) -> Result<PairResponse, ApiError> {
        let pair = auth::login_mfa(
            &state.console,
            &request_meta(req),
            &body.mfa_token,
            &body.code,
        )
        .await?;
        Ok(PairResponse::Ok(Json(pair.into())))
    }

    /// Rotates an operator's refresh token (a reused one revokes the session). Sessions end
    /// after 8 hours idle or 24 hours in all.
    #[oai(
        path = "/v1/admin/auth/token/refresh",
        method = "post",
        operation_id = "operator_token_refresh"
    )]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<OperatorRefreshRequest>,
    ) -> Result<PairResponse, ApiError> {
        let pair = auth::refresh(&state.console, &request_meta(req), &body.refresh_token).await?;
        Ok(PairResponse::Ok(Json(pair.into())))
    }

    /// Ends the operator's session at once.
    #[oai(
        path = "/v1/admin/auth/logout",
        method = "post",
        operation_id = "operator_logout"
    )]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
    ) -> Result<NoContent, ApiError> {
        auth::revoke(&state.console, auth.0.session_id).await?;
        Ok(NoContent::Done)
    }
}
