//! The bundled template environment and rendering of a [`Message`].

use std::fmt::Write as _;

use minijinja::{
    AutoEscape, Environment, Output, State, UndefinedBehavior, Value, context, escape_formatter,
};

use crate::{Branding, BrandingError, Message};

/// `(name, include_str!("../templates/<name>"))`.
macro_rules! bundle {
    ($name:literal) => {
        ($name, include_str!(concat!("../templates/", $name)))
    };
}

/// Every bundled template: registered name and source, compiled into the
/// binary.
const BUNDLED: &[(&str, &str)] = &[
    bundle!("_layouts/base.html"),
    bundle!("_layouts/base.txt"),
    bundle!("email_verification/subject.txt"),
    bundle!("email_verification/body.txt"),
    bundle!("email_verification/body.html"),
    bundle!("login_code/subject.txt"),
    bundle!("login_code/body.txt"),
    bundle!("login_code/body.html"),
    bundle!("password_reset/subject.txt"),
    bundle!("password_reset/body.txt"),
    bundle!("password_reset/body.html"),
    bundle!("invitation/subject.txt"),
    bundle!("invitation/body.txt"),
    bundle!("invitation/body.html"),
    bundle!("new_sign_in/subject.txt"),
    bundle!("new_sign_in/body.txt"),
    bundle!("new_sign_in/body.html"),
    bundle!("mfa_changed/subject.txt"),
    bundle!("mfa_changed/body.txt"),
    bundle!("mfa_changed/body.html"),
    bundle!("password_changed/subject.txt"),
    bundle!("password_changed/body.txt"),
    bundle!("password_changed/body.html"),
    bundle!("account_exists/subject.txt"),
    bundle!("account_exists/body.txt"),
    bundle!("account_exists/body.html"),
];

/// Instructions one template render may execute.
const FUEL: u64 = 50_000;

/// One rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Single-line subject: trimmed, with line breaks and other control
    /// characters collapsed to spaces; never empty.
    pub subject: String,
    /// The `text/plain` body.
    pub text: String,
    /// The `text/html` body.
    pub html: String,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The branding failed [`Branding::validate`].
    #[error("invalid branding: {0}")]
    InvalidBranding(#[from] BrandingError),
    /// The variables were not a JSON object (or `null`).
    #[error("template variables must be a JSON object")]
    InvalidVars,
    /// A bundled template failed to compile when the environment was built.
    #[error("bundled template {template} failed to load: {message}")]
    Load {
        /// The template that failed.
        template: &'static str,
        /// The compiler's error.
        message: String,
    },
    /// Rendering failed, e.g. a variable the template needs is missing.
    #[error("rendering {template} failed: {source:#}")]
    Template {
        /// The template being rendered.
        template: &'static str,
        /// minijinja's error.
        #[source]
        source: minijinja::Error,
    },
    /// The subject rendered to nothing.
    #[error("the subject of {0} rendered empty")]
    EmptySubject(&'static str),
    /// The text part does not show the code or link the message exists to carry.
    #[error("the text part must show the {what} (use {{{{ {what} }}}})")]
    MissingPayload {
        /// `code` or `link`.
        what: &'static str,
    },
    /// The code or link stands where it could become part of a URL (inside a word, after
    /// `=`, `/`, `:` or `.`, in an attribute other than a link's whole value).
    #[error(
        "the {part} part puts the {what} where it could be sent elsewhere: near {near:?}; give it a place of its own, between spaces or tags"
    )]
    Misplaced {
        /// `subject`, `text` or `html`.
        part: &'static str,
        /// `code` or `link`.
        what: &'static str,
        /// The text around it.
        near: String,
    },
}

/// The compiled templates, ready to render any [`Message`].
///
/// Build it once (e.g. at startup) and share it: rendering does not re-parse
/// templates. It is `Send + Sync` and cheap to clone.
#[derive(Clone, Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// The first bundled template that failed to compile, if any; rendering
    /// then fails closed. Tests ensure this never happens.
    load_error: Option<(&'static str, String)>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::bundled()
    }
}

impl Templates {
    /// The templates compiled into the crate.
    ///
    /// Never panics: should a bundled template fail to compile, every
    /// [`render`](Self::render) returns [`RenderError::Load`] instead (see
    /// [`try_bundled`](Self::try_bundled) to fail at startup).
    pub fn bundled() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(formatter);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // Bundled templates use a few hundred instructions; tenant overrides get the same
        // budget, so a runaway loop fails fast instead of holding a worker.
        env.set_fuel(Some(FUEL));
        let mut load_error = None;
        for &(name, source) in BUNDLED {
            if let Err(err) = env.add_template(name, source)
                && load_error.is_none()
            {
                load_error = Some((name, format!("{err:#}")));
            }
        }
        Self { env, load_error }
    }

    /// Like [`bundled`](Self::bundled), but reports a template that failed to
    /// compile.
    pub fn try_bundled() -> Result<Self, RenderError> {
        let templates = Self::bundled();
        match templates.load_error {
            Some((template, message)) => Err(RenderError::Load { template, message }),
            None => Ok(templates),
        }
    }

    /// Renders `message` for `recipient` (an email address) with the tenant's
    /// `branding` and the message's variables.
    ///
    /// `vars` must be a JSON object (or `null` for none) holding the
    /// variables documented on the [`Message`] variant; `branding` and
    /// `recipient` are added here and take precedence over keys of the same
    /// name in `vars`. The branding is validated first, so invalid colours or
    /// URLs never reach the HTML.
    pub fn render(
        &self,
        message: Message,
        branding: &Branding,
        recipient: &str,
        vars: &serde_json::Value,
    ) -> Result<Rendered, RenderError> {
        self.render_with(message, branding, recipient, vars, None)
    }

    /// Like [`render`](Self::render), with a tenant's override of some parts (checked with
    /// [`check_override`](Self::check_override) before it was saved). Override parts render
    /// under the same rules: strict variables, HTML escaping in the HTML part, and a budget of
    /// instructions so no template can loop for long.
    pub fn render_with(
        &self,
        message: Message,
        branding: &Branding,
        recipient: &str,
        vars: &serde_json::Value,
        over: Option<&crate::TemplateOverride>,
    ) -> Result<Rendered, RenderError> {
        self.render_checked(
            message,
            branding,
            recipient,
            vars,
            over,
            &crate::sanitize::Dropped::default(),
        )
        .map(|(rendered, _)| rendered)
    }

    /// [`render_with`](Self::render_with), noting in `dropped` what sanitising an override's
    /// HTML removed as a URL, and returning the HTML as rendered before sanitising (with the
    /// stand-ins) too. The templates see stand-ins for the code and the link (see
    /// [`crate::secrets`]); the real values go into the output once it is sanitised and
    /// every stand-in is checked to stand on its own.
    pub(crate) fn render_checked(
        &self,
        message: Message,
        branding: &Branding,
        recipient: &str,
        vars: &serde_json::Value,
        over: Option<&crate::TemplateOverride>,
        dropped: &crate::sanitize::Dropped,
    ) -> Result<(Rendered, String), RenderError> {
        use crate::secrets::{LINK_STAND_IN, Part, Secrets, check_placement};
        if let Some((template, message)) = &self.load_error {
            return Err(RenderError::Load {
                template,
                message: message.clone(),
            });
        }
        branding.validate()?;
        let mut vars = match vars {
            serde_json::Value::Object(m) => m.clone(),
            serde_json::Value::Null => serde_json::Map::new(),
            _ => return Err(RenderError::InvalidVars),
        };
        let secrets = Secrets::take(&mut vars);
        let ctx = context! {
            branding => Value::from_serialize(branding),
            recipient => recipient,
            ..Value::from_serialize(&vars)
        };

        let names = message.template_names();
        let part = |name: &'static str, src: Option<&String>| match src {
            Some(src) => self.render_source(name, src, &ctx),
            None => self.render_one(name, &ctx),
        };
        let subject = single_line(&part(names.subject, over.and_then(|o| o.subject.as_ref()))?);
        if subject.is_empty() {
            return Err(RenderError::EmptySubject(names.subject));
        }
        let text = part(names.text, over.and_then(|o| o.text.as_ref()))?;
        let raw_html = part(names.html, over.and_then(|o| o.html.as_ref()))?;
        let mut html = raw_html.clone();
        if over.is_some_and(|o| o.html.is_some()) {
            html = crate::sanitize::sanitize(
                &html,
                Some(LINK_STAND_IN),
                branding.logo_url.as_deref(),
                dropped,
            );
        }
        if let Some((what, stand_in)) = secrets.payload()
            && !text.contains(stand_in)
        {
            return Err(RenderError::MissingPayload { what });
        }
        for (name, out, kind) in [
            ("subject", &subject, Part::Text),
            ("text", &text, Part::Text),
            ("html", &html, Part::Html),
        ] {
            check_placement(out, kind).map_err(|m| RenderError::Misplaced {
                part: name,
                what: m.what,
                near: m.near,
            })?;
        }
        let rendered = Rendered {
            subject: secrets.reveal(&subject, false),
            text: secrets.reveal(&text, false),
            html: secrets.reveal(&html, true),
        };
        Ok((rendered, raw_html))
    }

    fn render_one(&self, template: &'static str, ctx: &Value) -> Result<String, RenderError> {
        self.env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|source| RenderError::Template { template, source })
    }

    /// Renders `source` as if it were the bundled template `template` (same escaping, same
    /// layouts to extend).
    fn render_source(
        &self,
        template: &'static str,
        source: &str,
        ctx: &Value,
    ) -> Result<String, RenderError> {
        self.env
            .render_named_str(template, source, ctx)
            .map_err(|source| RenderError::Template { template, source })
    }
}

/// Joins the words of `raw` with single spaces: every run of whitespace or
/// control characters (CR, LF, tab, ...) becomes one space and the ends are
/// trimmed, so the result is safe as a header value.
fn single_line(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Like minijinja's default formatter, but HTML escaping leaves `/` alone so
/// URLs stay readable (`&`, `<`, `>`, `"` and `'` are still escaped, which is
/// all HTML text and quoted attributes need).
fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
        let text = match value.as_str() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(value.to_string()),
        };
        for c in text.chars() {
            let result = match c {
                '&' => out.write_str("&amp;"),
                '<' => out.write_str("&lt;"),
                '>' => out.write_str("&gt;"),
                '"' => out.write_str("&quot;"),
                '\'' => out.write_str("&#x27;"),
                c => out.write_char(c),
            };
            result.map_err(minijinja::Error::from)?;
        }
        return Ok(());
    }
    escape_formatter(out, state, value)
}
