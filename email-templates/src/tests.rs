//! Snapshot and behaviour tests of the bundled templates.

use serde_json::{Value, json};

use crate::{Branding, BrandingError, Message, RenderError, Templates};

const RECIPIENT: &str = "ada@example.com";
const CODE: &str = "042137";
const INVITE_LINK: &str =
    "https://acme.example.com/invite/accept?tenant=acme&lang=en&token=Zm9vYmFyLWJhei1xdXV4";
const RESET_LINK: &str = "https://acme.example.com/reset-password?token=cmVzZXQtdG9rZW4tNDI";

fn branding() -> Branding {
    Branding {
        name: "Acme Cloud".to_owned(),
        sender_name: "Acme Cloud Security".to_owned(),
        sender_address: "security@acme.example.com".to_owned(),
        primary_color: "#0f766e".to_owned(),
        text_color: "#fff".to_owned(),
        logo_url: Some("https://cdn.acme.example.com/logo.png".to_owned()),
    }
}

fn vars(message: Message) -> Value {
    match message {
        Message::EmailVerification | Message::LoginCode => {
            json!({ "code": CODE, "expires_minutes": 15 })
        }
        Message::PasswordReset => json!({ "link": RESET_LINK, "expires_minutes": 30 }),
        Message::Invitation => json!({
            "link": INVITE_LINK,
            "role": "admin",
            "expires_days": 7,
            "inviter": "Grace Hopper",
        }),
        Message::NewSignIn => json!({
            "ip": "203.0.113.42",
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Firefox/125.0",
            "time": "2025-03-14 09:26 UTC",
        }),
        Message::MfaChanged => json!({ "change": "disabled", "time": "2025-03-14 09:26 UTC" }),
        Message::PasswordChanged => json!({ "time": "2025-03-14 09:26 UTC" }),
        Message::AccountExists => json!({}),
    }
}

fn render(
    message: Message,
    branding: &Branding,
    vars: &Value,
) -> Result<crate::Rendered, RenderError> {
    Templates::bundled().render(message, branding, RECIPIENT, vars)
}

/// The first run of exactly six ASCII digits.
fn first_six_digit_run(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let end = bytes[start..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(bytes.len(), |len| start + len);
            if end - start == 6 {
                return Some(&text[start..end]);
            }
            start = end;
        } else {
            start += 1;
        }
    }
    None
}

#[test]
fn bundled_templates_all_compile() {
    assert!(Templates::try_bundled().is_ok());
}

#[test]
fn names_match_serde_and_are_unique() {
    let mut names: Vec<_> = Message::ALL.iter().map(|m| m.name()).collect();
    for message in Message::ALL {
        assert_eq!(
            serde_json::to_value(message).expect("serialises"),
            json!(message.name())
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Message::ALL.len());
}

#[test]
fn snapshots() {
    let templates = Templates::bundled();
    for message in Message::ALL {
        let rendered = templates
            .render(message, &branding(), RECIPIENT, &vars(message))
            .expect("renders");
        let name = message.name();
        insta::assert_snapshot!(format!("{name}_subject"), rendered.subject);
        insta::assert_snapshot!(format!("{name}_text"), rendered.text);
        insta::assert_snapshot!(format!("{name}_html"), rendered.html);
    }
}

#[test]
fn snapshot_default_branding_without_inviter() {
    let mut vars = vars(Message::Invitation);
    vars["inviter"] = Value::Null;
    let rendered =
        render(Message::Invitation, &Branding::platform_default(), &vars).expect("renders");
    assert_eq!(rendered.subject, "You're invited to join Auth Platform");
    insta::assert_snapshot!("invitation_default_branding_text", rendered.text);
    insta::assert_snapshot!("invitation_default_branding_html", rendered.html);
}

#[test]
fn inviter_may_be_absent() {
    let mut vars = vars(Message::Invitation);
    vars.as_object_mut().expect("object").remove("inviter");
    let rendered = render(Message::Invitation, &branding(), &vars).expect("renders");
    assert_eq!(rendered.subject, "You're invited to join Acme Cloud");
    assert!(
        rendered
            .text
            .starts_with("You're invited to join Acme Cloud")
    );
}

#[test]
fn logo_only_when_set() {
    let with_logo =
        render(Message::LoginCode, &branding(), &vars(Message::LoginCode)).expect("renders");
    assert!(
        with_logo
            .html
            .contains(r#"<img src="https://cdn.acme.example.com/logo.png""#)
    );
    let mut no_logo = branding();
    no_logo.logo_url = None;
    let without = render(Message::LoginCode, &no_logo, &vars(Message::LoginCode)).expect("renders");
    assert!(!without.html.contains("<img"));
    assert!(without.html.contains(">Acme Cloud</span>"));
    assert!(without.html.contains("background-color:#0f766e;"));
}

#[test]
fn code_is_first_six_digit_run_of_text() {
    for message in [Message::EmailVerification, Message::LoginCode] {
        // Digits in the tenant name or address must not come before the code.
        let mut branding = branding();
        branding.name = "Tenant 314159".to_owned();
        let rendered = Templates::bundled()
            .render(message, &branding, "user271828@example.com", &vars(message))
            .expect("renders");
        assert_eq!(
            first_six_digit_run(&rendered.text),
            Some(CODE),
            "{message:?}"
        );
        assert!(rendered.html.contains(CODE));
        assert!(
            !rendered.subject.contains(CODE),
            "codes stay out of subjects"
        );
    }
}

#[test]
fn link_is_verbatim_in_text() {
    for (message, link) in [
        (Message::PasswordReset, RESET_LINK),
        (Message::Invitation, INVITE_LINK),
    ] {
        let rendered = render(message, &branding(), &vars(message)).expect("renders");
        assert!(
            rendered.text.lines().any(|line| line == link),
            "{message:?} text lacks the link on its own line:\n{}",
            rendered.text
        );
        let escaped = link.replace('&', "&amp;");
        assert!(rendered.html.contains(&format!(r#"href="{escaped}""#)));
    }
}

#[test]
fn html_escapes_tenant_values_text_keeps_them() {
    let nasty = r#"<script>alert(1)</script> & "x""#;
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;";
    let mut branding = branding();
    branding.name = nasty.to_owned();
    branding.logo_url = None;
    let mut vars = vars(Message::Invitation);
    vars["inviter"] = json!(nasty);
    vars["role"] = json!("<b>owner</b>");
    let rendered = render(Message::Invitation, &branding, &vars).expect("renders");

    assert!(!rendered.html.contains("<script"));
    assert!(!rendered.html.contains("<b>owner"));
    assert!(rendered.html.contains(escaped));
    assert!(rendered.html.contains("&lt;b&gt;owner&lt;/b&gt;"));
    assert!(
        rendered
            .text
            .contains(&format!("{nasty} invited you to join {nasty}"))
    );
    assert!(rendered.text.contains("<b>owner</b>"));
    assert_eq!(
        rendered.subject,
        format!("{nasty} invited you to join {nasty}")
    );
}

#[test]
fn subject_is_single_line() {
    let mut vars = vars(Message::Invitation);
    vars["inviter"] = json!("Eve\r\nBcc: victim@example.com\n");
    let rendered = render(Message::Invitation, &branding(), &vars).expect("renders");
    assert_eq!(
        rendered.subject,
        "Eve Bcc: victim@example.com invited you to join Acme Cloud"
    );
}

#[test]
fn missing_variable_is_an_error() {
    for message in Message::ALL {
        let full = vars(message);
        for key in full.as_object().expect("object").keys() {
            if key == "inviter" {
                continue;
            }
            let mut partial = full.clone();
            partial.as_object_mut().expect("object").remove(key);
            let err = render(message, &branding(), &partial)
                .expect_err(&format!("{message:?} without {key} must fail"));
            assert!(matches!(err, RenderError::Template { .. }), "{err}");
        }
    }
    assert!(matches!(
        render(Message::PasswordChanged, &branding(), &Value::Null),
        Err(RenderError::Template { .. })
    ));
}

#[test]
fn vars_must_be_an_object() {
    assert!(matches!(
        render(Message::PasswordChanged, &branding(), &json!(["time"])),
        Err(RenderError::InvalidVars)
    ));
}

#[test]
fn reserved_names_cannot_be_overridden() {
    let mut vars = vars(Message::PasswordChanged);
    vars["branding"] = json!({ "name": "Evil", "primary_color": "red;x:url(y)" });
    vars["recipient"] = json!("someone-else@example.com");
    let rendered = render(Message::PasswordChanged, &branding(), &vars).expect("renders");
    assert!(rendered.html.contains("Acme Cloud"));
    assert!(!rendered.html.contains("Evil"));
    assert!(rendered.text.contains(RECIPIENT));
    assert!(!rendered.text.contains("someone-else"));
}

#[test]
fn invalid_branding_is_refused() {
    type Mutation = fn(&mut Branding);
    let cases: [(&str, Mutation); 9] = [
        ("colour", |b| {
            b.primary_color = "red;background:url(x)".to_owned()
        }),
        ("text colour", |b| b.text_color = "#ffff".to_owned()),
        ("logo js", |b| {
            b.logo_url = Some("javascript:alert(1)".to_owned())
        }),
        ("logo quote", |b| {
            b.logo_url = Some(r#"https://x.example/a" onerror="alert(1)"#.to_owned());
        }),
        ("logo no host", |b| b.logo_url = Some("https://".to_owned())),
        ("empty name", |b| b.name = " ".to_owned()),
        ("long name", |b| b.name = "x".repeat(101)),
        ("sender name", |b| {
            b.sender_name = "Acme\r\nBcc: x@y".to_owned()
        }),
        ("sender address", |b| b.sender_address = "a@b@c".to_owned()),
    ];
    for (what, mutate) in cases {
        let mut b = branding();
        mutate(&mut b);
        assert!(b.validate().is_err(), "{what}");
        for message in Message::ALL {
            assert!(
                matches!(
                    render(message, &b, &vars(message)),
                    Err(RenderError::InvalidBranding(_))
                ),
                "{what} / {message:?}"
            );
        }
    }
    let mut b = branding();
    b.primary_color = "red;background:url(x)".to_owned();
    assert_eq!(
        b.validate(),
        Err(BrandingError::InvalidColor {
            field: "primary_color",
            value: "red;background:url(x)".to_owned()
        })
    );
}

#[test]
fn valid_branding_variants() {
    assert_eq!(Branding::platform_default().validate(), Ok(()));
    let mut b = branding();
    b.primary_color = "#ABCDEF".to_owned();
    b.logo_url = Some("http://cdn.example.com/a.svg?v=2&x=1".to_owned());
    b.name = "x".repeat(100);
    b.sender_name = String::new();
    assert_eq!(b.validate(), Ok(()));
}

#[test]
fn branding_deserialises_with_defaults() {
    let b: Branding = serde_json::from_value(json!({
        "name": "Acme",
        "sender_name": "Acme",
        "sender_address": "no-reply@acme.example",
        "primary_color": "#123",
    }))
    .expect("deserialises");
    assert_eq!(b.text_color, "#ffffff");
    assert_eq!(b.logo_url, None);
}

#[test]
fn single_digit_expiry_is_singular() {
    let rendered = render(
        Message::LoginCode,
        &branding(),
        &json!({ "code": CODE, "expires_minutes": 1 }),
    )
    .expect("renders");
    assert!(rendered.text.contains("expires in 1 minute."));
}

#[test]
fn bodies_end_with_a_newline() {
    let templates = Templates::bundled();
    for message in Message::ALL {
        let rendered = templates
            .render(message, &branding(), RECIPIENT, &vars(message))
            .expect("renders");
        assert!(rendered.text.ends_with(".\n"), "{message:?}");
        assert!(rendered.html.ends_with("</html>\n"), "{message:?}");
        assert!(!rendered.text.contains("\n\n\n\n"), "{message:?}");
    }
}

#[test]
fn templates_are_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Templates>();
}
