//! The platform's transactional email templates and their renderer.
//!
//! Every [`Message`] has three bundled [minijinja](https://docs.rs/minijinja)
//! templates under `templates/<name>/`: `subject.txt`, `body.txt` and
//! `body.html`. The bodies extend the shared layouts in `templates/_layouts/`,
//! which show the tenant's [`Branding`] and a footer explaining why the
//! recipient got the mail.
//!
//! ```
//! use email_templates::{Branding, Message, Templates};
//!
//! let templates = Templates::bundled();
//! let rendered = templates
//!     .render(
//!         Message::LoginCode,
//!         &Branding::platform_default(),
//!         "ada@example.com",
//!         &serde_json::json!({ "code": "042137", "expires_minutes": 10 }),
//!     )
//!     .expect("renders");
//! assert!(rendered.text.contains("042137"));
//! ```
//!
//! Variables every message receives: `branding` (the [`Branding`]) and
//! `recipient` (the recipient's email address). Message-specific variables are
//! listed on each [`Message`] variant; a missing one is a render error.

mod branding;
mod message;
mod overrides;
mod render;
pub mod sanitize;
mod secrets;

pub use branding::{Branding, BrandingError};
pub use message::Message;
pub use overrides::{MAX_PART_BYTES, OverrideError, TemplateOverride};
pub use render::{RenderError, Rendered, Templates};

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod tests;
