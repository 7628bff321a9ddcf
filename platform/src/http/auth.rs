//! Bearer authentication of tenant users, in one place: the token's tenant must be the path's,
//! its signature must check against that tenant's keys, `exp`/`nbf` hold (30 s leeway),
//! `token_use` is `access`, and its session is live. Every failure is the same 401. A token that
//! the tenant's MFA policy restricts to enrolment gets `403 mfa_enrollment_required` elsewhere.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use uuid::Uuid;

use super::problem::ApiError;
use crate::{
    app::AppState,
    context::{Actor, OpContext, RequestMeta},
    crypto::jwt::AccessClaims,
    error::Error,
    store::TenantScope,
    tenants::Tenant,
};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// A tenant user proven by a valid access token of a live session.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub claims: AccessClaims,
    /// The request's operation context, with this user as the actor.
    pub ctx: OpContext,
}

/// An access token from `POST /auth/login` (or verify, refresh…), as `Authorization: Bearer`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct UserAuth(pub AuthUser);

fn refused() -> poem::Error {
    poem::Error::from_response(poem::IntoResponse::into_response(ApiError::from(
        Error::unauthorized(),
    )))
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let (Some(state), Some(scope)) = (
        req.data::<AppState>(),
        req.extensions().get::<TenantScope>(),
    ) else {
        return Err(refused());
    };
    if bearer.token.len() > 8 * 1024 {
        return Err(refused());
    }
    let claims = match state
        .keys
        .verify_access(scope, &bearer.token, LEEWAY_SECS)
        .await
    {
        Ok(Some(c)) => c,
        Ok(None) => return Err(refused()),
        Err(e) => {
            return Err(poem::Error::from_response(
                poem::IntoResponse::into_response(ApiError::from(e)),
            ));
        }
    };
    let (Ok(user_id), Ok(session_id)) =
        (Uuid::parse_str(&claims.sub), Uuid::parse_str(&claims.sid))
    else {
        return Err(refused());
    };
    match state.sessions.is_live(scope, session_id, user_id).await {
        Ok(true)
            if (claims.mfa_enrollment_required
                || claims.token_use != crate::crypto::jwt::ACCESS_TOKEN_USE)
                && !reaches_enrolment(req) =>
        {
            Err(poem::Error::from_response(
                poem::IntoResponse::into_response(
                    ApiError::from(crate::mfa::enrollment_required()),
                ),
            ))
        }
        Ok(true) => Ok(AuthUser {
            user_id,
            session_id,
            claims: (*claims).clone(),
            ctx: op_context(req)?.acting(Actor::User(user_id)),
        }),
        Ok(false) => Err(refused()),
        Err(e) => Err(poem::Error::from_response(
            poem::IntoResponse::into_response(ApiError::from(e)),
        )),
    }
}

/// Whether `req` is one of the few requests an enrolment-only token may make: starting or
/// confirming TOTP enrolment, and logging out.
fn reaches_enrolment(req: &Request) -> bool {
    if req.method() != poem::http::Method::POST {
        return false;
    }
    // `/v1/tenants/{tenant}/{rest}`
    let mut parts = req.uri().path().splitn(5, '/').skip(4);
    matches!(
        parts.next(),
        Some("me/mfa/totp" | "me/mfa/totp/confirm" | "auth/logout")
    )
}

/// The caller's IP (behind the configured trusted proxies, see [`super::client_ip`]), user
/// agent and request id, for the audit log and throttling.
pub fn request_meta(req: &Request) -> RequestMeta {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
    let (trusted, header) = req
        .data::<AppState>()
        .map_or((&[][..], Default::default()), |s| {
            (
                s.config.trusted_proxies.as_slice(),
                s.config.client_ip_header,
            )
        });
    let ip =
        super::client_ip::client_ip(peer, req.headers(), trusted, header).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(poem::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(512).collect());
    RequestMeta {
        ip,
        user_agent,
        request_id: Some(super::problem::current_request_id()),
    }
}

/// The operation context of a tenant path's request, as someone not (yet) authenticated: the
/// tenant resolved by [`super::tenant_context`], and [`request_meta`].
pub fn op_context(req: &Request) -> poem::Result<OpContext> {
    let (Some(scope), Some(tenant)) = (
        req.extensions().get::<TenantScope>(),
        req.extensions().get::<std::sync::Arc<Tenant>>(),
    ) else {
        // Only a route outside `/v1/tenants/{tenant}` could get here: a wiring mistake.
        return Err(poem::Error::from_response(
            poem::IntoResponse::into_response(ApiError::from(Error::NotFound("tenant"))),
        ));
    };
    Ok(OpContext::new(
        scope.clone(),
        tenant.clone(),
        Actor::Anonymous,
        request_meta(req),
    ))
}

/// A handler's [`OpContext`] for a public tenant operation (the caller is anonymous).
pub struct Op(pub OpContext);

impl<'a> poem::FromRequest<'a> for Op {
    async fn from_request(req: &'a Request, _body: &mut poem::RequestBody) -> poem::Result<Self> {
        op_context(req).map(Op)
    }
}
