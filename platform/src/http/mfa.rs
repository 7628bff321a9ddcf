//! `/v1/tenants/{tenant}/me/mfa...`: the signed-in user's second factor: TOTP enrolment with a
//! QR code, backup codes, turning MFA off, and its state.

use super::text::Text;
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json, types::MaybeUndefined,
};

use super::{
    auth::{AuthUser, UserAuth},
    problem::ApiError,
};
use crate::{
    app::AppState,
    error::Error,
    mfa::enrolment::{self, Caller, Proof},
};

#[derive(Tags)]
enum MfaTags {
    /// The signed-in user's two-factor authentication.
    Mfa,
}

/// Enrolment has started: add the account to an authenticator app, then confirm with a code.
#[derive(Object, Debug)]
pub struct TotpEnrolmentView {
    /// The shared secret in base32 (160 bits), for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/…` naming the tenant as issuer and the user's email as account.
    pub otpauth_url: String,
    /// A PNG QR code of `otpauth_url`, base64-encoded (no `data:` prefix).
    pub qr_png: String,
}

/// Backup codes: shown this once, each usable once in place of a TOTP code.
#[derive(Object, Debug)]
pub struct BackupCodesView {
    pub backup_codes: Vec<String>,
}

/// A 6-digit code from the authenticator app.
#[derive(Object, Debug)]
pub struct TotpCodeRequest {
    #[oai(validator(max_length = 16))]
    pub code: Text,
}

/// The current password, when the sign-in is older than 5 minutes.
#[derive(Object, Debug, Default)]
pub struct ReauthRequest {
    /// Proves the caller again when the session signed in more than 5 minutes ago (else `403
    /// reauthentication_required`). Not needed with an enrolment-only token. Leave it out
    /// rather than sending `null`.
    #[oai(validator(max_length = 1024))]
    pub current_password: MaybeUndefined<Text>,
}

/// A 6-digit code from the authenticator app, and the current password when the sign-in is
/// older than 5 minutes.
#[derive(Object, Debug)]
pub struct TotpCodeReauthRequest {
    #[oai(validator(max_length = 16))]
    pub code: Text,
    /// Proves the caller again when the session signed in more than 5 minutes ago (else `403
    /// reauthentication_required`).
    #[oai(validator(max_length = 1024))]
    pub current_password: Option<Text>,
}

/// A current TOTP `code`, or the account `password`.
#[derive(Object, Debug)]
pub struct MfaDisableRequest {
    #[oai(validator(max_length = 16))]
    pub code: Option<Text>,
    #[oai(validator(max_length = 1024))]
    pub password: Option<Text>,
}

/// The user's second-factor state.
#[derive(Object, Debug)]
pub struct MfaStatusView {
    /// Whether TOTP is confirmed and required at login.
    pub enabled: bool,
    /// Whether an enrolment was started and awaits its confirming code.
    pub enrollment_pending: bool,
    /// Unused backup codes.
    pub backup_codes_left: u64,
    /// Whether the tenant's MFA policy requires a second factor of this user.
    pub required_by_policy: bool,
}

#[derive(ApiResponse)]
enum EnrolmentResponse {
    /// Enrolment started (any earlier unconfirmed one is replaced).
    #[oai(status = 200)]
    Ok(Json<TotpEnrolmentView>),
}

#[derive(ApiResponse)]
enum BackupCodesResponse {
    /// The new backup codes.
    #[oai(status = 200)]
    Ok(Json<BackupCodesView>),
}

#[derive(ApiResponse)]
enum StatusResponse {
    /// The state.
    #[oai(status = 200)]
    Ok(Json<MfaStatusView>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

fn caller(a: &AuthUser) -> Caller<'_> {
    Caller {
        ctx: &a.ctx,
        user_id: a.user_id,
        session_id: a.session_id,
        enrolment_only: a.claims.mfa_enrollment_required
            || a.claims.token_use != crate::crypto::jwt::ACCESS_TOKEN_USE,
    }
}

/// The signed-in user's MFA API.
pub struct MfaApi;

#[OpenApi(tag = "MfaTags::Mfa")]
impl MfaApi {
    /// The signed-in user's second-factor state.
    #[oai(
        path = "/v1/tenants/:tenant/me/mfa",
        method = "get",
        operation_id = "mfa_get"
    )]
    async fn status(
        &self,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<StatusResponse, ApiError> {
        let s = enrolment::status(caller(&auth.0)).await?;
        Ok(StatusResponse::Ok(Json(MfaStatusView {
            enabled: s.enabled,
            enrollment_pending: s.enrollment_pending,
            backup_codes_left: s.backup_codes_left,
            required_by_policy: s.required,
        })))
    }

    /// Starts TOTP enrolment: a new secret, its `otpauth://` URL and a PNG QR code. MFA is not
    /// on until `POST /me/mfa/totp/confirm` (`409 mfa_already_enabled` when it already is).
    /// Needs a sign-in within the last 5 minutes or `current_password` (`403
    /// reauthentication_required`), so that a stolen access token cannot enrol its holder's
    /// authenticator. Reachable with an enrolment-only token, which needs neither.
    #[oai(
        path = "/v1/tenants/:tenant/me/mfa/totp",
        method = "post",
        operation_id = "totp_enroll"
    )]
    async fn enroll(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: super::optional_body::OptionalJson<ReauthRequest>,
    ) -> Result<EnrolmentResponse, ApiError> {
        let password = match body.0.map(|b| b.current_password) {
            None | Some(MaybeUndefined::Undefined) => None,
            Some(MaybeUndefined::Value(p)) => Some(p),
            Some(MaybeUndefined::Null) => {
                return Err(Error::invalid("current_password", "a string, or left out").into());
            }
        };
        let e = enrolment::start(&state.accounts, caller(&auth.0), password.as_deref()).await?;
        Ok(EnrolmentResponse::Ok(Json(TotpEnrolmentView {
            secret: e.secret,
            otpauth_url: e.otpauth_url,
            qr_png: e.qr_png,
        })))
    }

    /// Confirms enrolment with a current code: MFA is on, and 10 backup codes are returned (shown
    /// this once). Only the secret from `POST /me/mfa/totp` (which asked for a fresh proof) makes
    /// the code, so confirming needs no other. The user's other sessions are revoked and an "MFA changed" email is sent.
    /// With an enrolment-only token, refresh afterwards for an unrestricted one.
    #[oai(
        path = "/v1/tenants/:tenant/me/mfa/totp/confirm",
        method = "post",
        operation_id = "totp_confirm"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<TotpCodeRequest>,
    ) -> Result<BackupCodesResponse, ApiError> {
        let codes = enrolment::confirm(&state.accounts, caller(&auth.0), &body.code).await?;
        Ok(BackupCodesResponse::Ok(Json(BackupCodesView {
            backup_codes: codes,
        })))
    }

    /// Turns MFA off with the account `password`, or with a current TOTP `code` from a session
    /// that signed in within the last 5 minutes (exactly one; a `code` from an older sign-in is
    /// `403 reauthentication_required`: send the `password` instead). The secret and backup
    /// codes are erased, other sessions revoked, and an email sent. Under a policy that requires
    /// MFA, the user's next tokens are enrolment-only.
    #[oai(
        path = "/v1/tenants/:tenant/me/mfa/totp",
        method = "delete",
        operation_id = "totp_disable"
    )]
    async fn disable(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<MfaDisableRequest>,
    ) -> Result<NoContent, ApiError> {
        let proof = match (&body.code, &body.password) {
            (Some(c), None) => Proof::Code(c),
            (None, Some(p)) => Proof::Password(p),
            _ => {
                return Err(Error::invalid("code", "send exactly one of code and password").into());
            }
        };
        enrolment::disable(&state.accounts, caller(&auth.0), proof).await?;
        Ok(NoContent::Done)
    }

    /// Replaces the backup codes; the old ones stop working at once. Needs a current TOTP
    /// `code`, and a sign-in within the last 5 minutes or `current_password` (`403
    /// reauthentication_required`).
    #[oai(
        path = "/v1/tenants/:tenant/me/mfa/backup-codes",
        method = "post",
        operation_id = "backup_codes_regenerate"
    )]
    async fn regenerate(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<TotpCodeReauthRequest>,
    ) -> Result<BackupCodesResponse, ApiError> {
        let codes = enrolment::regenerate_backup_codes(
            &state.accounts,
            caller(&auth.0),
            &body.code,
            body.current_password.as_deref(),
        )
        .await?;
        Ok(BackupCodesResponse::Ok(Json(BackupCodesView {
            backup_codes: codes,
        })))
    }
}
