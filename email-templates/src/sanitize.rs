//! The HTML of a tenant's override, sanitised after rendering with [ammonia]: a fixed
//! allow-list of tags and attributes, no URL but the message's own link and the branding's
//! logo, and inline styles without anything that could load a resource.
//!
//! [ammonia]: https://docs.rs/ammonia

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

/// Tags an override may use; anything else is removed (its text kept, except for the content
/// of `script`, `style`, `title` and the like, which goes too).
pub const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "code",
    "col",
    "colgroup",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// Attributes every allowed tag may carry.
pub const GENERIC_ATTRIBUTES: &[&str] = &[
    "align",
    "bgcolor",
    "border",
    "cellpadding",
    "cellspacing",
    "colspan",
    "dir",
    "height",
    "lang",
    "role",
    "rowspan",
    "style",
    "title",
    "valign",
    "width",
];

/// Inline style properties kept; any other declaration is dropped, and a style that mentions
/// `url`, `image`, `expression`, `@`, a backslash (a CSS escape) or a comment is removed whole.
pub const STYLE_PROPERTIES: &[&str] = &[
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-radius",
    "border-right",
    "border-spacing",
    "border-style",
    "border-top",
    "border-width",
    "color",
    "display",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-height",
    "max-width",
    "min-height",
    "min-width",
    "mso-hide",
    "opacity",
    "outline",
    "overflow",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "text-align",
    "text-decoration",
    "text-transform",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
];

/// The document around a sanitised body: ammonia cleans fragments, so the head is ours.
const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n</head>\n\
<body style=\"margin:0;padding:0;background-color:#f3f4f6;\">\n";
const TAIL: &str = "\n</body>\n</html>\n";

/// What sanitising removed that the author meant as a link or a resource (for the check at
/// save time, which refuses rather than silently dropping them).
pub(crate) type Dropped = Arc<Mutex<Vec<String>>>;

fn style_is_inert(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    ![
        "url",
        "image",
        "expression",
        "@",
        "\\",
        "/*",
        "src",
        "behavior",
        "binding",
    ]
    .iter()
    .any(|bad| v.contains(bad))
}

/// Sanitises `html` (a rendered override, stand-ins in place of the secrets) into a whole
/// document. A link's `href` survives only when it is exactly `link` (the message's own), an
/// image's `src` only when it is exactly `logo` (a link fetched as an image would hand its
/// token to every image proxy); everything removed that looked like a URL is noted in
/// `dropped`.
pub(crate) fn sanitize(
    html: &str,
    link: Option<&str>,
    logo: Option<&str>,
    dropped: &Dropped,
) -> String {
    let (link, logo) = (link.map(str::to_owned), logo.map(str::to_owned));
    let noted = dropped.clone();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href", "target"].into());
    tag_attributes.insert("img", ["src", "alt"].into());
    let body = ammonia::Builder::empty()
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(
            [
                "script", "style", "title", "head", "template", "noscript", "object", "svg",
            ]
            .into_iter()
            .collect(),
        )
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(["https", "http"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .strip_comments(true)
        .attribute_filter(move |element, attribute, value| match attribute {
            "href" | "src" => {
                let allowed = match (element, attribute) {
                    ("a", "href") => link.as_deref(),
                    ("img", "src") => logo.as_deref(),
                    _ => None,
                };
                if allowed == Some(value) {
                    Some(value.into())
                } else {
                    if let Ok(mut d) = noted.lock() {
                        d.push(value.to_owned());
                    }
                    None
                }
            }
            "style" => {
                if style_is_inert(value) {
                    Some(value.into())
                } else {
                    if let Ok(mut d) = noted.lock() {
                        d.push(format!("style=\"{value}\""));
                    }
                    None
                }
            }
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string();
    format!("{HEAD}{}{TAIL}", body.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> (String, Vec<String>) {
        let dropped = Dropped::default();
        let out = sanitize(
            html,
            Some("https://ok.test/link"),
            Some("https://cdn.test/logo.png"),
            &dropped,
        );
        let d = dropped.lock().expect("lock").clone();
        (out, d)
    }

    #[test]
    fn only_the_link_and_the_logo_survive_as_urls() {
        let (out, dropped) = clean(
            r#"<a href="https://ok.test/link">go</a><img src="https://cdn.test/logo.png">
            <img src="https://evil.test/x"><img src="https:evil.test/x">
            <img src="https:&#x2F;&#x2F;evil.test/x"><a href="//evil.test">x</a>
            <a href="javascript:alert(1)">y</a>"#,
        );
        assert!(out.contains(r#"href="https://ok.test/link""#), "{out}");
        assert!(out.contains(r#"src="https://cdn.test/logo.png""#), "{out}");
        assert!(
            !out.contains("evil.test") && !out.contains("javascript"),
            "{out}"
        );
        assert!(dropped.len() >= 3, "{dropped:?}");
    }

    #[test]
    fn the_link_is_no_image_and_the_logo_no_link() {
        let (out, dropped) =
            clean(r#"<img src="https://ok.test/link"><a href="https://cdn.test/logo.png">x</a>"#);
        assert!(
            !out.contains("ok.test") && !out.contains("cdn.test"),
            "{out}"
        );
        assert_eq!(dropped.len(), 2, "{dropped:?}");
    }

    #[test]
    fn tags_and_attributes_outside_the_lists_go() {
        let (out, _) = clean(
            r#"<style>p{background:url(https://evil.test/)}</style><script>x()</script>
            <form action="https://evil.test"><input name=a></form><link rel=stylesheet href=https://evil.test/s.css>
            <table background="https://evil.test/b.png"><tr><td onclick="x()">t</td></tr></table>
            <img srcset="https://evil.test/a.png 1x"><svg><image href="https://evil.test/i"/></svg>
            <title>T</title><p>kept</p>"#,
        );
        for gone in [
            "evil.test",
            "script",
            "<form",
            "<input",
            "onclick",
            "srcset",
            "<svg",
            ">T<",
        ] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
        assert!(out.contains("<p>kept</p>"), "{out}");
        assert!(out.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn styles_cannot_load_anything() {
        let (out, dropped) = clean(
            r#"<div style="color:red;background:url(https://evil.test/)">a</div>
            <div style="background-image:u\72l(https://evil.test/)">b</div>
            <div style="color:#111827;font-size:14px;line-height:20px">c</div>"#,
        );
        assert!(!out.contains("evil"), "{out}");
        assert!(out.contains("color:#111827"), "{out}");
        assert_eq!(dropped.len(), 2, "{dropped:?}");
    }
}
