//! `/v1/tenants/{tenant}/auth/...`: sign-up, email verification, login, one-time codes,
//! refresh, logout and password reset for a tenant's end users.

// poem-openapi takes every input (path, cookie, header, body, state) as an argument.
#![allow(clippy::too_many_arguments)]

use super::text::Text;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Cookie, Header, Path, Query},
    payload::Json,
};

use super::{
    auth::{Op, UserAuth, request_meta},
    problem::ApiError,
    views::{Accepted, LoginResult, TokenPairView},
};
use crate::{
    accounts,
    app::AppState,
    error::{Error, ErrorCode},
    mfa::{LoginOutcome, challenge},
};

#[derive(Tags)]
enum AuthTags {
    /// Public authentication flows of a tenant's end users.
    Auth,
}

/// Email and password of a new account.
#[derive(Object, Debug)]
pub struct RegisterRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    /// 8 to 256 characters.
    #[oai(validator(max_length = 1024))]
    pub password: Text,
}

/// An email address.
#[derive(Object, Debug)]
pub struct EmailRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
}

/// An email address and the 6-digit code emailed to it.
#[derive(Object, Debug)]
pub struct EmailCodeRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 16))]
    pub code: Text,
}

/// An email address, the 6-digit code emailed to it, and optionally the account's password.
#[derive(Object, Debug)]
pub struct VerifyEmailRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 16))]
    pub code: Text,
    /// The password to set (the tenant's password policy applies). Optional: without it the
    /// password given at registration applies, unless someone else registered this address
    /// with another password meanwhile; then the account starts without one (`has_password`
    /// is `false` in the answer) and the user sets it with `POST /me/password`.
    #[oai(validator(max_length = 1024))]
    pub password: Option<Text>,
}

/// Email and password.
#[derive(Object, Debug)]
pub struct LoginRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 1024))]
    pub password: Text,
    /// Cookie mode: put the refresh token in an HttpOnly cookie scoped to this tenant's auth
    /// path (not in the body) and return a `csrf_token` for cookie-authenticated refreshes.
    pub cookie: Option<bool>,
}

/// A refresh token from an earlier token pair; omit it in cookie mode.
#[derive(Object, Debug, Default)]
pub struct RefreshRequest {
    #[oai(validator(max_length = 256))]
    pub refresh_token: Option<Text>,
}

/// The emailed reset token and the new password.
#[derive(Object, Debug)]
pub struct ResetRequest {
    #[oai(validator(max_length = 256))]
    pub token: Text,
    #[oai(validator(max_length = 1024))]
    pub new_password: Text,
}

#[derive(ApiResponse)]
enum AcceptedResponse {
    /// Accepted; the same answer whether or not the account exists.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
}

#[derive(ApiResponse)]
enum PairResponse {
    /// Signed in.
    #[oai(status = 200)]
    Ok(
        Json<TokenPairView>,
        /// Cookie mode: the refresh token, HttpOnly, SameSite=Strict, scoped to the auth path.
        #[oai(header = "Set-Cookie")]
        Option<String>,
    ),
}

impl PairResponse {
    fn body(pair: crate::signin::TokenPair) -> Self {
        Self::Ok(Json(pair.into()), None)
    }

    /// The cookie-mode answer: the refresh token moves from the body into a cookie.
    fn cookie(state: &AppState, tenant_in_path: &str, pair: crate::signin::TokenPair) -> Self {
        // The cookie lives exactly as long as the session can.
        let max_age = u32::try_from(
            (pair.session_expires_at - chrono::Utc::now())
                .num_seconds()
                .max(0),
        )
        .unwrap_or(u32::MAX);
        let cookie = state
            .cookies
            .set_refresh(tenant_in_path, &pair.refresh_token, max_age);
        let csrf = state.cookies.csrf_token(pair.tenant_id, pair.session_id);
        let mut view = TokenPairView::from(pair);
        view.refresh_token = None;
        view.csrf_token = Some(csrf);
        Self::Ok(Json(view), Some(cookie))
    }
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// Signed in (a token pair), or, when the account uses two-factor authentication, a
    /// challenge (`mfa_required: true`) to complete at `POST /auth/login/mfa`.
    #[oai(status = 200)]
    Ok(
        Json<LoginResult>,
        /// Cookie mode: the refresh token, HttpOnly, SameSite=Strict, scoped to the auth path.
        #[oai(header = "Set-Cookie")]
        Option<String>,
    ),
}

impl LoginResponse {
    fn pair(pair: PairResponse) -> Self {
        let PairResponse::Ok(Json(view), cookie) = pair;
        Self::Ok(Json(LoginResult::Tokens(view)), cookie)
    }

    fn of(state: &AppState, tenant_in_path: &str, outcome: LoginOutcome, cookie: bool) -> Self {
        match outcome {
            LoginOutcome::Signed(pair) if cookie => {
                Self::pair(PairResponse::cookie(state, tenant_in_path, *pair))
            }
            LoginOutcome::Signed(pair) => Self::pair(PairResponse::body(*pair)),
            LoginOutcome::MfaRequired(ch) => {
                Self::Ok(Json(LoginResult::MfaRequired(ch.into())), None)
            }
        }
    }
}

/// The challenge's `mfa_token` and exactly one second factor.
#[derive(Object, Debug)]
pub struct MfaLoginRequest {
    /// From the `mfa_required` answer of the login.
    #[oai(validator(max_length = 128))]
    pub mfa_token: Text,
    /// A 6-digit code from the authenticator app (method `totp`).
    #[oai(validator(max_length = 16))]
    pub code: Option<Text>,
    /// One of the backup codes (method `backup_code`); each works once.
    #[oai(validator(max_length = 64))]
    pub backup_code: Option<Text>,
    /// The 6-digit code emailed by `POST /auth/login/mfa/email` (method `email_otp`).
    #[oai(validator(max_length = 16))]
    pub email_code: Option<Text>,
}

/// The challenge's `mfa_token`.
#[derive(Object, Debug)]
pub struct MfaTokenRequest {
    #[oai(validator(max_length = 128))]
    pub mfa_token: Text,
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum LoggedOut {
    /// The session has ended; any refresh cookie is cleared.
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] String),
}

/// The tenant end-user authentication API.
pub struct AuthApi;

fn accepted() -> AcceptedResponse {
    AcceptedResponse::Accepted(Json(Accepted::new()))
}

#[OpenApi(tag = "AuthTags::Auth")]
impl AuthApi {
    /// Creates an account and emails a 6-digit verification code. Answers `202` the same way
    /// whether or not the email is already registered.
    #[oai(
        path = "/v1/tenants/:tenant/auth/register",
        method = "post",
        operation_id = "account_register"
    )]
    async fn register(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        /// The tenant's slug or id.
        #[oai(name = "tenant")]
        _tenant: Path<String>,
        body: Json<RegisterRequest>,
    ) -> Result<AcceptedResponse, ApiError> {
        accounts::register(&state.accounts, &op.0, &body.email, &body.password).await?;
        Ok(accepted())
    }

    /// Confirms the email with the emailed code; the pending account becomes active and is
    /// signed in. Only whoever holds the code chooses the password: the one sent here, else the
    /// registration's, unless registrations with different passwords met (then none is set).
    #[oai(
        path = "/v1/tenants/:tenant/auth/email/verify",
        method = "post",
        operation_id = "email_verify"
    )]
    async fn verify(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<VerifyEmailRequest>,
    ) -> Result<PairResponse, ApiError> {
        let pair = accounts::verify_email(
            &state.accounts,
            &op.0,
            &body.email,
            &body.code,
            body.password.as_deref(),
        )
        .await?;
        Ok(PairResponse::body(pair))
    }

    /// Sends a new verification code to an account that is not verified yet (`202` always).
    #[oai(
        path = "/v1/tenants/:tenant/auth/email/resend",
        method = "post",
        operation_id = "email_resend"
    )]
    async fn resend(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<EmailRequest>,
    ) -> Result<AcceptedResponse, ApiError> {
        accounts::resend_verification(&state.accounts, &op.0, &body.email).await?;
        Ok(accepted())
    }

    /// Signs in with email and password. A wrong password and an unknown email fail alike
    /// (`401 invalid_credentials`); repeated failures are throttled (`429` with `Retry-After`).
    #[oai(
        path = "/v1/tenants/:tenant/auth/login",
        method = "post",
        operation_id = "session_login"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] tenant: Path<String>,
        body: Json<LoginRequest>,
    ) -> Result<LoginResponse, ApiError> {
        let cookie = body.cookie == Some(true);
        let outcome =
            accounts::login(&state.accounts, &op.0, &body.email, &body.password, cookie).await?;
        Ok(LoginResponse::of(&state, &tenant.0, outcome, cookie))
    }

    /// Completes a login that answered `mfa_required`: the `mfa_token` with one second factor
    /// (`code` from the authenticator app, a `backup_code`, or an `email_code`). A TOTP code is
    /// accepted once (±30 s of clock skew); a wrong factor is `401 invalid_mfa_code` and uses up
    /// one of the token's 5 attempts. The `amr` of the new tokens names both factors.
    #[oai(
        path = "/v1/tenants/:tenant/auth/login/mfa",
        method = "post",
        operation_id = "mfa_challenge_verify"
    )]
    async fn login_mfa(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] tenant: Path<String>,
        body: Json<MfaLoginRequest>,
    ) -> Result<PairResponse, ApiError> {
        let b = &body.0;
        let factor = match (&b.code, &b.backup_code, &b.email_code) {
            (Some(c), None, None) => challenge::Factor::Totp(c),
            (None, Some(c), None) => challenge::Factor::BackupCode(c),
            (None, None, Some(c)) => challenge::Factor::EmailOtp(c),
            _ => {
                return Err(Error::invalid(
                    "code",
                    "send exactly one of code, backup_code and email_code",
                )
                .into());
            }
        };
        let done = challenge::complete(&state.accounts, &op.0, &b.mfa_token, factor).await?;
        if done.cookie {
            return Ok(PairResponse::cookie(&state, &tenant.0, done.pair));
        }
        Ok(PairResponse::body(done.pair))
    }

    /// Emails a 6-digit code for a pending MFA challenge, when the tenant offers emailed codes
    /// as a second factor (`email_otp` in `methods`; otherwise `403 mfa_method_not_allowed`).
    /// Within a minute of the last code, nothing new is sent.
    #[oai(
        path = "/v1/tenants/:tenant/auth/login/mfa/email",
        method = "post",
        operation_id = "mfa_email_code_send"
    )]
    async fn login_mfa_email(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<MfaTokenRequest>,
    ) -> Result<AcceptedResponse, ApiError> {
        challenge::send_email_code(&state.accounts, &op.0, &body.mfa_token).await?;
        Ok(accepted())
    }

    /// Emails a one-time login code to an active account (`202` always).
    #[oai(
        path = "/v1/tenants/:tenant/auth/otp/send",
        method = "post",
        operation_id = "otp_send"
    )]
    async fn otp_send(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<EmailRequest>,
    ) -> Result<AcceptedResponse, ApiError> {
        accounts::otp_send(&state.accounts, &op.0, &body.email).await?;
        Ok(accepted())
    }

    /// Signs in with an emailed one-time login code (with MFA on: a challenge, as for login).
    #[oai(
        path = "/v1/tenants/:tenant/auth/otp/verify",
        method = "post",
        operation_id = "otp_verify"
    )]
    async fn otp_verify(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<EmailCodeRequest>,
    ) -> Result<LoginResponse, ApiError> {
        let outcome = accounts::otp_verify(&state.accounts, &op.0, &body.email, &body.code).await?;
        Ok(LoginResponse::of(&state, "", outcome, false))
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a
    /// used one revokes its whole session. In cookie mode send no body token (or no body at
    /// all): the `platform_refresh` cookie is used, and `X-CSRF-Token` must carry the login's
    /// `csrf_token`.
    #[oai(
        path = "/v1/tenants/:tenant/auth/token/refresh",
        method = "post",
        operation_id = "token_refresh"
    )]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        op: Op,
        req: &Request,
        #[oai(name = "tenant")] tenant: Path<String>,
        /// The refresh cookie set by a cookie-mode login.
        #[oai(name = "platform_refresh")]
        refresh_cookie: Cookie<Option<String>>,
        /// The session's CSRF token; required when the refresh token comes from the cookie.
        #[oai(name = "X-CSRF-Token")]
        csrf: Header<Option<String>>,
        body: super::optional_body::OptionalJson<Option<RefreshRequest>>,
    ) -> Result<PairResponse, ApiError> {
        let _meta = request_meta(req);
        let in_body = body.0.flatten().and_then(|b| b.refresh_token);
        if let Some(token) = in_body {
            let pair = accounts::refresh(&state.accounts, &op.0, &token).await?;
            return Ok(PairResponse::body(pair));
        }
        let Some(token) = refresh_cookie.0.filter(|t| !t.is_empty()) else {
            return Err(crate::error::Error::Unauthorized {
                code: ErrorCode::InvalidRefreshToken,
                message: "the refresh token is invalid, expired or revoked",
            }
            .into());
        };
        state
            .cookies
            .check_csrf(op.0.scope(), &token, csrf.0.as_deref())
            .await?;
        let pair = accounts::refresh(&state.accounts, &op.0, &token).await?;
        Ok(PairResponse::cookie(&state, &tenant.0, pair))
    }

    /// Ends the caller's session at once (`all=true`: every session of the caller).
    #[oai(
        path = "/v1/tenants/:tenant/auth/logout",
        method = "post",
        operation_id = "session_logout"
    )]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] tenant: Path<String>,
        /// End every session of the caller, not only this one.
        all: Query<Option<bool>>,
    ) -> Result<LoggedOut, ApiError> {
        let a = &auth.0;
        accounts::logout(
            &state.accounts,
            &a.ctx,
            a.user_id,
            a.session_id,
            all.0.unwrap_or(false),
        )
        .await?;
        Ok(LoggedOut::Done(state.cookies.clear_refresh(&tenant.0)))
    }

    /// Emails a password-reset link to an active account (`202` always).
    #[oai(
        path = "/v1/tenants/:tenant/auth/password/forgot",
        method = "post",
        operation_id = "password_forgot"
    )]
    async fn forgot(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<EmailRequest>,
    ) -> Result<AcceptedResponse, ApiError> {
        accounts::recovery::forgot(&state.accounts, &op.0, &body.email).await?;
        Ok(accepted())
    }

    /// Sets a new password with the emailed token (single use, 30 minutes); every session of
    /// the user is revoked.
    #[oai(
        path = "/v1/tenants/:tenant/auth/password/reset",
        method = "post",
        operation_id = "password_reset"
    )]
    async fn reset(
        &self,
        state: Data<&AppState>,
        op: Op,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<ResetRequest>,
    ) -> Result<NoContent, ApiError> {
        accounts::recovery::reset(&state.accounts, &op.0, &body.token, &body.new_password).await?;
        Ok(NoContent::Done)
    }
}
