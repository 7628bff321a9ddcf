//! One typed struct per email the platform sends, holding exactly the variables its templates
//! use (see [`email_templates::Message`]), so a missing or misspelled variable is a compile
//! error rather than a failure at render time.

use chrono::{DateTime, Utc};
use email_templates::Message;
use serde::Serialize;

/// An email's variables, and which message they are for.
pub trait Mail: Serialize {
    /// The message these variables render.
    fn message(&self) -> Message;
}

/// A time as notices show it.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Declares a typed message: its struct, fields and [`Mail`] impl.
macro_rules! mails {
    ($($(#[doc = $doc:literal])* $name:ident => $message:ident { $($(#[doc = $fdoc:literal])* $field:ident: $ty:ty,)* })*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Debug, Serialize)]
            pub struct $name {
                $($(#[doc = $fdoc])* pub $field: $ty,)*
            }

            impl Mail for $name {
                fn message(&self) -> Message {
                    Message::$message
                }
            }
        )*
    };
}

mails! {
    /// A code that confirms an email address.
    EmailVerification => EmailVerification {
        /// Six digits, as a string (leading zeros kept).
        code: String,
        expires_minutes: i64,
    }
    /// A one-time code to sign in with (also the emailed second factor).
    LoginCode => LoginCode {
        code: String,
        expires_minutes: i64,
    }
    /// A link to choose a new password.
    PasswordReset => PasswordReset {
        /// An absolute URL ending in `token=<token>`.
        link: String,
        expires_minutes: i64,
    }
    /// An invitation to join the tenant.
    Invitation => Invitation {
        link: String,
        role: String,
        expires_days: i64,
        /// Who invited, when known.
        inviter: Option<String>,
    }
    /// Notice of a sign-in from a new device or place.
    NewSignIn => NewSignIn {
        ip: String,
        user_agent: String,
        /// See [`stamp`].
        time: String,
    }
    /// Notice that two-factor authentication went on or off.
    MfaChanged => MfaChanged {
        change: MfaChange,
        time: String,
    }
    /// Notice that the password changed.
    PasswordChanged => PasswordChanged {
        time: String,
    }
    /// Notice to an existing account that someone tried to sign up with its address.
    AccountExists => AccountExists {}
}

/// Which way a second factor changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaChange {
    Enabled,
    Disabled,
}

#[cfg(test)]
mod tests {
    use email_templates::{Branding, Templates};

    use super::*;

    /// A sample of every typed mail, as the message and the variables it renders with.
    fn every_mail() -> Vec<(Message, serde_json::Value)> {
        fn of<M: Mail>(m: &M) -> (Message, serde_json::Value) {
            (m.message(), serde_json::to_value(m).expect("json"))
        }
        let link = "https://auth.example.com/x?tenant=acme&token=abc".to_owned();
        let time = stamp(Utc::now());
        vec![
            of(&EmailVerification {
                code: "012345".into(),
                expires_minutes: 15,
            }),
            of(&LoginCode {
                code: "012345".into(),
                expires_minutes: 15,
            }),
            of(&PasswordReset {
                link: link.clone(),
                expires_minutes: 30,
            }),
            of(&Invitation {
                link,
                role: "admin".into(),
                expires_days: 7,
                inviter: None,
            }),
            of(&NewSignIn {
                ip: "192.0.2.1".into(),
                user_agent: "curl".into(),
                time: time.clone(),
            }),
            of(&MfaChanged {
                change: MfaChange::Disabled,
                time: time.clone(),
            }),
            of(&PasswordChanged { time }),
            of(&AccountExists {}),
        ]
    }

    #[test]
    fn every_message_has_a_typed_mail_that_renders_with_the_bundled_templates() {
        let templates = Templates::try_bundled().expect("templates");
        let mails = every_mail();
        for m in Message::ALL {
            assert!(
                mails.iter().any(|(k, _)| *k == m),
                "{m:?} has no typed mail"
            );
        }
        for (message, vars) in mails {
            templates
                .render(
                    message,
                    &Branding::platform_default(),
                    "ann@acme.test",
                    &vars,
                )
                .unwrap_or_else(|e| panic!("{message:?}: {e}"));
        }
    }
}
