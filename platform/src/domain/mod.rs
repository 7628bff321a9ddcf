//! Parsed input types: a value of one of these has been checked, so code that takes it need not.

mod email;
mod password;
mod slug;

pub use email::EmailAddress;
pub use password::{Password, PasswordError};
pub use slug::TenantSlug;
