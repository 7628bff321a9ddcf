//! The one domain error type: what went wrong for the client, and (separately) what for the logs.

use std::fmt;

/// A failure of a domain operation. The `Display` text is safe to show a client; internal
/// details live only in [`Error::Internal`] and are logged, never returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input did not parse or violates a rule; `field` names it.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
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
    Conflict { code: &'static str, message: String },
    /// The caller is not authenticated, or its credentials are wrong; `code` says which kind
    /// of request failed, never which check (`invalid_credentials`, `unauthorized`, …).
    #[error("{message}")]
    Unauthorized {
        code: &'static str,
        message: &'static str,
    },
    /// Authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
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

impl Error {
    /// An invalid-input error for `field`.
    pub fn invalid(field: &'static str, message: impl fmt::Display) -> Self {
        Self::Invalid {
            field,
            message: message.to_string(),
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_request",
            Self::NotFound(_) => "not_found",
            Self::TenantNotFound => "tenant_not_found",
            Self::TenantSuspended => "tenant_suspended",
            Self::Conflict { code, .. } => code,
            Self::Unauthorized { code, .. } => code,
            Self::Forbidden { code, .. } => code,
            Self::RateLimited { .. } => "rate_limited",
            Self::Busy => "server_busy",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
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
            code: "invalid_credentials",
            message: "the email or password is incorrect",
        }
    }

    /// A missing, invalid, expired or revoked token: the same answer whatever the reason.
    pub fn unauthorized() -> Self {
        Self::Unauthorized {
            code: "unauthorized",
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
