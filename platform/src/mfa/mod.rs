//! Two-factor authentication of a tenant's users: TOTP enrolment and backup codes
//! ([`enrolment`]), checking factors ([`factors`]), the login challenge ([`challenge`]) and the
//! tenant's policy, which the token issuer applies (see [`crate::accounts::pair`]).

pub mod challenge;
pub mod enrolment;
pub mod factors;

use crate::error::{Error, ErrorCode};

pub use crate::signin::{Challenge, LoginOutcome};

/// The one answer to a wrong, malformed, replayed or spent second factor.
pub fn wrong_code() -> Error {
    Error::invalid_mfa_code()
}

/// The answer of every endpoint but enrolment and logout to an enrolment-only token.
pub fn enrollment_required() -> Error {
    Error::Forbidden {
        code: ErrorCode::MfaEnrollmentRequired,
        message: "this tenant requires two-factor authentication: enrol at POST /me/mfa/totp, \
                  confirm, then refresh the session"
            .into(),
    }
}
