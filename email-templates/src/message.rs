//! The kinds of email the platform sends, and where their templates live.

use serde::{Deserialize, Serialize};

/// A kind of email the platform sends.
///
/// Each variant documents the variables it needs in addition to `branding` and
/// `recipient`, which every message gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// Confirms an email address with a one-time code.
    ///
    /// Variables: `code` (6 digits; pass a string to keep leading zeros),
    /// `expires_minutes`.
    EmailVerification,
    /// A one-time code to sign in with.
    ///
    /// Variables: `code` (6 digits; pass a string to keep leading zeros),
    /// `expires_minutes`.
    LoginCode,
    /// A link to choose a new password.
    ///
    /// Variables: `link` (absolute URL ending in `token=<token>`),
    /// `expires_minutes`.
    PasswordReset,
    /// An invitation to join the tenant.
    ///
    /// Variables: `link` (absolute URL ending in `token=<token>`), `role`,
    /// `expires_days`, and optionally `inviter` (absent or `null` when unknown).
    Invitation,
    /// Notice of a sign-in from a new device or location.
    ///
    /// Variables: `ip`, `user_agent`, `time` (preformatted string).
    NewSignIn,
    /// Notice that two-factor authentication was turned on or off.
    ///
    /// Variables: `change` (`"enabled"` or `"disabled"`), `time` (preformatted
    /// string).
    MfaChanged,
    /// Notice that the account password was changed.
    ///
    /// Variables: `time` (preformatted string).
    PasswordChanged,
    /// Notice to an existing account that someone tried to sign up with its address (sent
    /// instead of a verification code, so that sign-up answers the same either way).
    ///
    /// Variables: none.
    AccountExists,
}

/// The bundled template names of one message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TemplateNames {
    /// The subject line template (`<name>/subject.txt`).
    pub(crate) subject: &'static str,
    /// The plain-text body template (`<name>/body.txt`).
    pub(crate) text: &'static str,
    /// The HTML body template (`<name>/body.html`).
    pub(crate) html: &'static str,
}

macro_rules! names {
    ($dir:literal) => {
        TemplateNames {
            subject: concat!($dir, "/subject.txt"),
            text: concat!($dir, "/body.txt"),
            html: concat!($dir, "/body.html"),
        }
    };
}

impl Message {
    /// Every message, in declaration order.
    pub const ALL: [Message; 8] = [
        Message::EmailVerification,
        Message::LoginCode,
        Message::PasswordReset,
        Message::Invitation,
        Message::NewSignIn,
        Message::MfaChanged,
        Message::PasswordChanged,
        Message::AccountExists,
    ];

    /// The message's template folder name, e.g. `"email_verification"`
    /// (also its serde representation).
    pub fn name(self) -> &'static str {
        match self {
            Message::EmailVerification => "email_verification",
            Message::LoginCode => "login_code",
            Message::PasswordReset => "password_reset",
            Message::Invitation => "invitation",
            Message::NewSignIn => "new_sign_in",
            Message::MfaChanged => "mfa_changed",
            Message::PasswordChanged => "password_changed",
            Message::AccountExists => "account_exists",
        }
    }

    /// The names under which this message's templates are registered.
    pub(crate) fn template_names(self) -> TemplateNames {
        match self {
            Message::EmailVerification => names!("email_verification"),
            Message::LoginCode => names!("login_code"),
            Message::PasswordReset => names!("password_reset"),
            Message::Invitation => names!("invitation"),
            Message::NewSignIn => names!("new_sign_in"),
            Message::MfaChanged => names!("mfa_changed"),
            Message::PasswordChanged => names!("password_changed"),
            Message::AccountExists => names!("account_exists"),
        }
    }
}
