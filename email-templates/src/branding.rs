//! A tenant's branding (name, sender, colours, logo) and its validation.

use serde::{Deserialize, Serialize};

/// Longest accepted tenant name or sender name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Longest accepted sender address, in bytes (RFC 5321 path limit).
const MAX_ADDRESS_LEN: usize = 254;
/// Longest accepted logo URL, in bytes.
const MAX_URL_LEN: usize = 2048;

/// How a tenant's emails look and who they come from.
///
/// Everything here ends up inside the HTML (style attributes, `src`) or the
/// mail headers, so [`Branding::validate`] is strict; rendering refuses
/// branding that fails it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Branding {
    /// Product or tenant name shown in the header, subject lines and footer
    /// (1 to 100 characters, no control characters).
    pub name: String,
    /// Display name of the `From` header (at most 100 characters, no control
    /// characters such as CR/LF).
    pub sender_name: String,
    /// Address of the `From` header (one `@`, no whitespace or control
    /// characters, at most 254 bytes).
    pub sender_address: String,
    /// Brand colour of the header bar and buttons, `#rgb` or `#rrggbb`.
    pub primary_color: String,
    /// Colour of text drawn on `primary_color` (the header's name, button
    /// labels), `#rgb` or `#rrggbb`. Defaults to white when deserialised
    /// without it.
    #[serde(default = "default_text_color")]
    pub text_color: String,
    /// Absolute `https://` (or `http://`) URL of a logo shown in the header
    /// instead of the name; `None` shows the name as text.
    #[serde(default)]
    pub logo_url: Option<String>,
}

/// Why a [`Branding`] was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BrandingError {
    /// The name is empty, blank, too long or contains control characters.
    #[error("branding name must be 1 to {MAX_NAME_CHARS} characters without control characters")]
    InvalidName,
    /// The sender name is too long or contains control characters.
    #[error("sender name must be at most {MAX_NAME_CHARS} characters without control characters")]
    InvalidSenderName,
    /// The sender address does not look like an email address.
    #[error("sender address {0:?} does not look like an email address")]
    InvalidSenderAddress(String),
    /// A colour is not `#rgb` or `#rrggbb`.
    #[error("{field} {value:?} is not a #rgb or #rrggbb colour")]
    InvalidColor {
        /// Which field (`primary_color` or `text_color`).
        field: &'static str,
        /// The refused value.
        value: String,
    },
    /// The logo URL is not a plain absolute http(s) URL.
    #[error("logo URL {0:?} must be an http(s) URL without quotes, whitespace or angle brackets")]
    InvalidLogoUrl(String),
}

fn default_text_color() -> String {
    "#ffffff".to_owned()
}

impl Branding {
    /// Checks every field; see the field docs for the rules.
    pub fn validate(&self) -> Result<(), BrandingError> {
        let name_chars = self.name.chars().count();
        if !(1..=MAX_NAME_CHARS).contains(&name_chars)
            || self.name.trim().is_empty()
            || self.name.chars().any(char::is_control)
        {
            return Err(BrandingError::InvalidName);
        }
        if self.sender_name.chars().count() > MAX_NAME_CHARS
            || self.sender_name.chars().any(char::is_control)
        {
            return Err(BrandingError::InvalidSenderName);
        }
        if !is_email_like(&self.sender_address) {
            return Err(BrandingError::InvalidSenderAddress(
                self.sender_address.clone(),
            ));
        }
        for (field, value) in [
            ("primary_color", &self.primary_color),
            ("text_color", &self.text_color),
        ] {
            if !is_hex_color(value) {
                return Err(BrandingError::InvalidColor {
                    field,
                    value: value.clone(),
                });
            }
        }
        if let Some(url) = &self.logo_url
            && !is_plain_http_url(url)
        {
            return Err(BrandingError::InvalidLogoUrl(url.clone()));
        }
        Ok(())
    }

    /// The platform's own branding, for mail not sent on behalf of a tenant
    /// and as a starting point for tenants that have not customised theirs.
    pub fn platform_default() -> Self {
        Self {
            name: "Auth Platform".to_owned(),
            sender_name: "Auth Platform".to_owned(),
            sender_address: "no-reply@example.com".to_owned(),
            primary_color: "#2563eb".to_owned(),
            text_color: default_text_color(),
            logo_url: None,
        }
    }
}

/// `#rgb` or `#rrggbb` with ASCII hex digits.
fn is_hex_color(value: &str) -> bool {
    value
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One `@` with something on both sides, no whitespace, control characters or
/// characters that would break out of an address in a header.
fn is_email_like(value: &str) -> bool {
    if value.len() > MAX_ADDRESS_LEN
        || value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
    {
        return false;
    }
    match value.split_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.is_empty() && !domain.contains('@'),
        None => false,
    }
}

/// An `http://` or `https://` URL with a host and no characters that could
/// leave an attribute or be read differently by a mail client.
fn is_plain_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    url.len() <= MAX_URL_LEN
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '\\')
        })
}
