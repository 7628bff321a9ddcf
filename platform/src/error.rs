//! The one domain error type: what went wrong for the client, and (separately) what for the logs.

use std::fmt;

/// Declares [`ErrorCode`] with its wire names, once.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $text:literal,)*) => {
        /// Every stable machine-readable `code` an error answer carries. Clients match on it;
        /// a code is never reused for another meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, poem_openapi::Enum)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[oai(rename = $text)] $variant,)*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &[ErrorCode] = &[$(Self::$variant),*];

            /// The code as it is sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    /// The input did not parse or breaks a rule (`400`).
    InvalidRequest => "invalid_request",
    /// No such resource (`404`).
    NotFound => "not_found",
    /// No such tenant (`404`).
    TenantNotFound => "tenant_not_found",
    /// The tenant is suspended (`403`).
    TenantSuspended => "tenant_suspended",
    /// No valid credentials (`401`).
    Unauthorized => "unauthorized",
    /// Wrong email or password (`401`).
    InvalidCredentials => "invalid_credentials",
    /// The refresh token is invalid, expired or revoked (`401`).
    InvalidRefreshToken => "invalid_refresh_token",
    /// A cookie-authenticated refresh without its `X-CSRF-Token` header (`401`).
    CsrfRequired => "csrf_required",
    /// The MFA challenge token is invalid or expired (`401`).
    InvalidMfaToken => "invalid_mfa_token",
    /// The second-factor code is wrong (`401`).
    InvalidMfaCode => "invalid_mfa_code",
    /// The invitation link is invalid or expired (`401`).
    InvalidInvitation => "invalid_invitation",
    /// The caller lacks a permission (`403`).
    Forbidden => "forbidden",
    /// A fresh sign-in or the current password is needed (`403`).
    ReauthenticationRequired => "reauthentication_required",
    /// The tenant requires MFA: enrol first (`403`).
    MfaEnrollmentRequired => "mfa_enrollment_required",
    /// The tenant does not allow this second factor (`403`).
    MfaMethodNotAllowed => "mfa_method_not_allowed",
    /// The account is disabled (`403`).
    AccountDisabled => "account_disabled",
    /// The email address is not verified yet (`403`).
    EmailNotVerified => "email_not_verified",
    /// The tenant does not take sign-ups (`403`).
    SignupDisabled => "signup_disabled",
    /// A CORS preflight from an origin the tenant does not allow (`403`).
    OriginNotAllowed => "origin_not_allowed",
    /// A tenant of that slug exists (`409`).
    TenantExists => "tenant_exists",
    /// An operator of that email exists (`409`).
    OperatorExists => "operator_exists",
    /// The address already belongs to a member (`409`).
    AlreadyMember => "already_member",
    /// The member has not verified their email yet (`409`).
    MemberPending => "member_pending",
    /// The member is not active (`409`).
    MemberNotActive => "member_not_active",
    /// The tenant's last owner cannot leave, be demoted or disabled (`409`).
    LastOwner => "last_owner",
    /// A role still held or offered cannot be removed (`409`).
    RoleInUse => "role_in_use",
    /// The invitation was accepted, revoked or expired (`409`).
    InvitationClosed => "invitation_closed",
    /// Two-factor authentication is not on (`409`).
    MfaNotEnabled => "mfa_not_enabled",
    /// Two-factor authentication is already on (`409`).
    MfaAlreadyEnabled => "mfa_already_enabled",
    /// No enrolment to confirm (`409`).
    MfaEnrollmentNotStarted => "mfa_enrollment_not_started",
    /// The operator's previous customer search still runs (`409`).
    SearchInProgress => "search_in_progress",
    /// The path does not take this method (`405`).
    MethodNotAllowed => "method_not_allowed",
    /// The body needs a `Content-Length` (`411`).
    LengthRequired => "length_required",
    /// The body is larger than the server accepts (`413`).
    PayloadTooLarge => "payload_too_large",
    /// The body is not `application/json` (`415`).
    UnsupportedMediaType => "unsupported_media_type",
    /// Any other client error.
    RequestError => "request_error",
    /// Too many attempts; retry after `Retry-After` seconds (`429`).
    RateLimited => "rate_limited",
    /// An unexpected failure (`500`).
    InternalError => "internal_error",
    /// The password-hashing pool is saturated; retry shortly (`503`).
    ServerBusy => "server_busy",
    /// A dependency is unavailable; retry later (`503`).
    ServiceUnavailable => "service_unavailable",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure of a domain operation. The `Display` text is safe to show a client; internal
/// details live only in [`Error::Internal`] and are logged, never returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input did not parse or violates a rule; `field` names it.
    #[error("{message}")]
    Invalid { field: Field, message: String },
    /// No such resource (or one the caller may not see: indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The tenant in the path does not exist (or is being deleted).
    #[error("tenant not found")]
    TenantNotFound,
    /// The tenant is suspended by an operator.
    #[error("this tenant is suspended")]
    TenantSuspended,
    /// The resource already exists.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// The caller is not authenticated, or its credentials are wrong; `code` says which kind
    /// of request failed, never which check (`invalid_credentials`, `unauthorized`, …).
    #[error("{message}")]
    Unauthorized {
        code: ErrorCode,
        message: &'static str,
    },
    /// Authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: ErrorCode, message: String },
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts; retry later")]
    RateLimited { retry_after_secs: u64 },
    /// The password-hashing pool is saturated; retry shortly.
    #[error("the service is busy; retry shortly")]
    Busy,
    /// A dependency (the database) is unreachable; retry later.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure; the client sees a generic message.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Where an invalid input sits in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A member of the JSON body (`password`).
    Body(&'static str),
    /// A query or path parameter (`limit`).
    Param(&'static str),
}

impl Error {
    /// An invalid-input error for the body member `field`.
    pub fn invalid(field: &'static str, message: impl fmt::Display) -> Self {
        Self::Invalid {
            field: Field::Body(field),
            message: message.to_string(),
        }
    }

    /// An invalid-input error for the query or path parameter `name`.
    pub fn invalid_param(name: &'static str, message: impl fmt::Display) -> Self {
        Self::Invalid {
            field: Field::Param(name),
            message: message.to_string(),
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid { .. } => ErrorCode::InvalidRequest,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::TenantNotFound => ErrorCode::TenantNotFound,
            Self::TenantSuspended => ErrorCode::TenantSuspended,
            Self::Conflict { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. } => *code,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Busy => ErrorCode::ServerBusy,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } => 400,
            Self::NotFound(_) | Self::TenantNotFound => 404,
            Self::TenantSuspended => 403,
            Self::Conflict { .. } => 409,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::RateLimited { .. } => 429,
            Self::Busy => 503,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }
}

impl Error {
    /// Wrong credentials: the same answer whatever was wrong (unknown account, bad password, …).
    pub fn invalid_credentials() -> Self {
        Self::Unauthorized {
            code: ErrorCode::InvalidCredentials,
            message: "the email or password is incorrect",
        }
    }

    /// A wrong, expired or used second-factor code (`401 invalid_mfa_code`).
    pub fn invalid_mfa_code() -> Self {
        Self::Unauthorized {
            code: ErrorCode::InvalidMfaCode,
            message: "the code is invalid, expired or already used",
        }
    }

    /// A missing, invalid, expired or revoked token: the same answer whatever the reason.
    pub fn unauthorized() -> Self {
        Self::Unauthorized {
            code: ErrorCode::Unauthorized,
            message: "authentication is required",
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        if storage_unavailable(&e) {
            Self::Unavailable(e.into())
        } else {
            Self::Internal(e.into())
        }
    }
}

/// Whether a database error says the storage cannot serve now (the server is down, restarting
/// or out of connections; the disk is full or read-only), not that the request or the code is
/// wrong: such requests fail fast with `503` and succeed once the storage is back.
pub fn storage_unavailable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx::Error as Sqlx};
    let runtime = match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match &**sqlx {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_) => true,
        Sqlx::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: connection exceptions (08), insufficient resources (53: disk full,
            // out of memory, too many connections), operator intervention (57: shutdown,
            // cannot connect now), read-only transactions on a standby (25006).
            // SQLite: BUSY (5), READONLY (8), IOERR (10), FULL (13), CANTOPEN (14), their
            // extended codes being these plus a multiple of 256.
            let pg = code.len() == 5
                && (code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57")
                    || code == "25006");
            let sqlite = code.len() < 5
                && code
                    .parse::<u32>()
                    .is_ok_and(|c| matches!(c & 0xff, 5 | 8 | 10 | 13 | 14));
            pg || sqlite
        }
        _ => false,
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

/// Results of domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod catalogue_tests {
    use super::ErrorCode;

    /// The README's catalogue of error codes lists every code, and nothing else.
    #[test]
    fn the_readme_lists_every_error_code() {
        let readme = include_str!("../../README.md");
        let listed: Vec<&str> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once("` | "))
            .filter(|(_, rest)| {
                rest.split(' ')
                    .next()
                    .is_some_and(|s| s.len() == 3 && s.starts_with(['4', '5']))
            })
            .map(|(code, _)| code)
            .collect();
        let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            listed, all,
            "README.md's error table is not ErrorCode::ALL, in order"
        );
    }
}
