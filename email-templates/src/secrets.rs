//! A message's secrets (its one-time `code`, its `link` with a token) never reach a template.
//!
//! Templates render with fixed stand-ins instead; the real values replace the stand-ins only
//! in the finished, sanitised output. So no template — a tenant's override above all — can
//! branch on a secret, transform it, or hide it where a sample render would not look: what a
//! template makes of a stand-in is all it can make of the secret. Every place a stand-in ends
//! up is then checked ([`check_placement`]): inside a word, a URL or an attribute other than a
//! link's own, a secret could be carried to another host, so such an output is refused.

use serde_json::Value;

/// What a template sees instead of the code: letters and digits only, so that escaping
/// leaves it alone and no filter turns it into anything that could be mistaken for a code.
pub(crate) const CODE_STAND_IN: &str = "xqcodestandin7f3a";
/// What a template sees instead of the link: an absolute URL of a reserved name, so that the
/// sanitiser treats it as the link it stands for.
pub(crate) const LINK_STAND_IN: &str = "https://link.invalid/xqlinkstandin7f3a";

/// The secrets of one message, taken out of its variables.
#[derive(Debug, Default)]
pub(crate) struct Secrets {
    code: Option<String>,
    link: Option<String>,
}

impl Secrets {
    /// Swaps `code` and `link` in `vars` (a JSON object) for their stand-ins and keeps them.
    pub(crate) fn take(vars: &mut serde_json::Map<String, Value>) -> Self {
        let mut take = |name: &str, stand_in: &str| match vars.get_mut(name) {
            Some(v @ Value::String(_)) => {
                let real = std::mem::replace(v, Value::String(stand_in.to_owned()));
                real.as_str().map(str::to_owned)
            }
            Some(v @ Value::Number(_)) => {
                let real = v.to_string();
                *v = Value::String(stand_in.to_owned());
                Some(real)
            }
            _ => None,
        };
        Self {
            code: take("code", CODE_STAND_IN),
            link: take("link", LINK_STAND_IN),
        }
    }

    /// Whether the message carries a code or a link.
    pub(crate) fn payload(&self) -> Option<(&'static str, &'static str)> {
        if self.code.is_some() {
            Some(("code", CODE_STAND_IN))
        } else if self.link.is_some() {
            Some(("link", LINK_STAND_IN))
        } else {
            None
        }
    }

    /// Puts the real values where the stand-ins are; `html` escapes them for HTML text and
    /// attributes.
    pub(crate) fn reveal(&self, rendered: &str, html: bool) -> String {
        let mut out = rendered.to_owned();
        for (stand_in, real) in [(LINK_STAND_IN, &self.link), (CODE_STAND_IN, &self.code)] {
            if let Some(real) = real {
                let real = if html {
                    escape_html(real)
                } else {
                    real.clone()
                };
                out = out.replace(stand_in, &real);
            }
        }
        out
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a stand-in may not stand, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Misplaced {
    /// `code` or `link`.
    pub(crate) what: &'static str,
    /// A little of the text around it.
    pub(crate) near: String,
}

/// Which part is checked: plain text (the subject or the text body) or serialised, sanitised
/// HTML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Text,
    Html,
}

/// Checks that every stand-in in `out` stands on its own: in text, between ASCII whitespace
/// (or the start or end), a code also just before sentence punctuation or inside parentheses,
/// a link also inside `<…>`; in HTML, in an attribute only as the attribute's whole value, and
/// in text by the same rule as plain text, read as a reader or a link detector reads it:
/// inline tags (`<b>`, `<span>`, `<a>` …) join the words around them, block tags and `<br>`
/// separate them. Anywhere else it could become part of a URL (`https://evil.test/?c=…`,
/// `….evil.test`, `evil.test:…`, `evil.test/c<b>…</b>`) that a mail client links or fetches.
/// Only ASCII whitespace separates: link detectors take many other spaces into a URL.
pub(crate) fn check_placement(out: &str, part: Part) -> Result<(), Misplaced> {
    match part {
        Part::Text => check_text(out),
        Part::Html => {
            for stand_in in [CODE_STAND_IN, LINK_STAND_IN] {
                let mut from = 0;
                while let Some(pos) = out[from..].find(stand_in) {
                    let start = from + pos;
                    let end = start + stand_in.len();
                    from = end;
                    if let Some((value_start, value_end)) = attribute_around(out, start)
                        && !(value_start == start && value_end == end)
                    {
                        return Err(misplaced(out, start, end, stand_in));
                    }
                }
            }
            check_text(&visible_text(out))
        }
    }
}

fn misplaced(out: &str, start: usize, end: usize, stand_in: &str) -> Misplaced {
    let lo = floor_char(out, start.saturating_sub(24));
    let hi = ceil_char(out, (end + 24).min(out.len()));
    Misplaced {
        what: if stand_in == CODE_STAND_IN {
            "code"
        } else {
            "link"
        },
        near: out[lo..hi]
            .replace(LINK_STAND_IN, "{{ link }}")
            .replace(CODE_STAND_IN, "{{ code }}"),
    }
}

fn check_text(out: &str) -> Result<(), Misplaced> {
    for stand_in in [CODE_STAND_IN, LINK_STAND_IN] {
        let mut from = 0;
        while let Some(pos) = out[from..].find(stand_in) {
            let start = from + pos;
            let end = start + stand_in.len();
            from = end;
            if !text_bounded(out, start, end, stand_in == LINK_STAND_IN) {
                return Err(misplaced(out, start, end, stand_in));
            }
        }
    }
    Ok(())
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn ascii_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Whether `out[start..end]` is delimited like a word of its own (see [`check_placement`]).
fn text_bounded(out: &str, start: usize, end: usize, link: bool) -> bool {
    let before = out[..start].chars().next_back();
    let after = out[end..].chars().next();
    let edge = |c: Option<char>| c.is_none_or(ascii_space);
    // One opening mark right before, itself after a boundary.
    let opener = |open: char| {
        before == Some(open) && {
            let b2 = out[..start - open.len_utf8()].chars().next_back();
            edge(b2)
        }
    };
    let before_ok = edge(before) || opener('(') || (link && opener('<'));
    // Sentence punctuation may follow (a few marks), then a boundary.
    let rest = &out[end..];
    let punct = rest
        .char_indices()
        .take_while(|(i, c)| *i < 3 && ".,;:!?)".contains(*c))
        .count();
    let after_punct = rest[punct..].chars().next();
    let closer = link && after == Some('>') && edge(rest[1..].chars().next());
    let after_ok = edge(after) || closer || (punct > 0 && edge(after_punct));
    before_ok && after_ok
}

/// Tags that do not separate the words around them.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "code", "em", "i", "img", "s", "small", "span", "strong", "sub", "sup", "u",
];

/// The text of serialised HTML as it reads: inline tags dropped, every other tag a line break,
/// character references left as they are (they are never whitespace). Attribute values are
/// inside tags and never part of it.
fn visible_text(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let next = html[i..].find('<').map_or(html.len(), |n| i + n);
            out.push_str(&html[i..next]);
            i = next;
            continue;
        }
        // A tag: its name, then to its `>`, stepping over quoted values.
        let name_start = i + 1 + usize::from(bytes.get(i + 1) == Some(&b'/'));
        let name_end = html[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(html.len(), |n| name_start + n);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let mut j = name_end;
        let mut quote = false;
        while j < bytes.len() && (quote || bytes[j] != b'>') {
            if bytes[j] == b'"' {
                quote = !quote;
            }
            j += 1;
        }
        if !INLINE_TAGS.contains(&name.as_str()) {
            out.push('\n');
        }
        i = j + 1;
    }
    out
}

/// When `pos` lies inside a quoted attribute value of a tag in serialised HTML, the value's
/// byte range. The sanitiser's serialiser writes every value in double quotes with `"`
/// escaped, and escapes `<` in text, so a scan from the start is exact.
fn attribute_around(html: &str, pos: usize) -> Option<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut in_tag = false;
    let mut value_start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match (in_tag, value_start, b) {
            (_, Some(s), b'"') => {
                if (s..=i).contains(&pos) {
                    return Some((s, i));
                }
                value_start = None;
            }
            (_, Some(_), _) => {}
            (false, None, b'<') => in_tag = true,
            (true, None, b'"') => value_start = Some(i + 1),
            (true, None, b'>') => in_tag = false,
            _ => {}
        }
        if i >= pos && value_start.is_none() {
            return None;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = CODE_STAND_IN;
    const L: &str = LINK_STAND_IN;

    fn text(s: &str) -> bool {
        check_placement(s, Part::Text).is_ok()
    }

    fn html(s: &str) -> bool {
        check_placement(s, Part::Html).is_ok()
    }

    #[test]
    fn a_code_on_its_own_passes() {
        for ok in [
            C.to_owned(),
            format!("Your code is:\n\n    {C}\n"),
            format!("Code {C}."),
            format!("(code {C}), thanks"),
            format!("Use ({C}) now"),
        ] {
            assert!(text(&ok), "{ok}");
        }
        assert!(html(&format!("<td style=\"x\">{C}</td>")));
        assert!(html(&format!("<p>Your code: {C}.</p>")));
    }

    #[test]
    fn a_code_inside_anything_url_like_fails() {
        for bad in [
            format!("https://evil.test/?c={C}"),
            format!("https:evil.test/{C}"),
            format!("{C}.evil.test"),
            format!("evil.test:{C}"),
            format!("evil.test/'{C}'"),
            format!("evil.test/({C})"),
            format!("x{C}"),
            format!("{C}x"),
        ] {
            assert!(!text(&bad), "{bad}");
            assert!(!html(&format!("<p>{bad}</p>")), "{bad}");
        }
        // In an attribute only as the whole value.
        assert!(!html(&format!("<img alt=\"c{C}\">")));
        assert!(html(&format!("<img alt=\"{C}\">")));
        // A quote in text is no attribute.
        assert!(!html(&format!("<p>evil.test/?x=\"{C}\"</p>")));
    }

    #[test]
    fn only_ascii_whitespace_separates_and_inline_tags_join() {
        for bad in [
            format!("evil.com/c\u{205F}{C}"),
            format!("evil.com/c\u{1680}{C}"),
            format!("evil.com/c\u{85}{C}"),
            format!("evil.com/c\u{a0}{C}"),
            format!("evil.com/c\u{200b}{C}"),
        ] {
            assert!(!text(&bad), "{bad:?}");
            assert!(!html(&format!("<p>{bad}</p>")), "{bad:?}");
        }
        for bad in [
            format!("<p>evil.com/c<b>{C}</b></p>"),
            format!("<p>evil.com/c<span style=\"x\">{C}</span></p>"),
            format!("<p><b>{C}</b>.evil.com</p>"),
            format!("<p>evil.com/<a href=\"x\">{C}</a></p>"),
        ] {
            assert!(!html(&bad), "{bad}");
        }
        assert!(html(&format!("<p>Your code:</p><p><b>{C}</b></p>")));
        assert!(html(&format!("<td>evil.com/c</td><td>{C}</td>")));
        assert!(html(&format!("<p>Code:<br>{C}</p>")));
        // A `<` opens a link only after whitespace.
        assert!(!text(&format!("x<{L}>")));
    }

    #[test]
    fn links_stand_alone_or_as_a_whole_attribute() {
        assert!(text(&format!("Open this link:\n\n{L}\n")));
        assert!(text(&format!("Open <{L}> now")));
        assert!(html(&format!(
            "<a href=\"{L}\" target=\"_blank\">{L}</a> and <a href=\"{L}\">Reset</a>"
        )));
        assert!(!text(&format!("https://evil.test/?u={L}")));
        assert!(!html(&format!(
            "<a href=\"https://evil.test/?u={L}\">x</a>"
        )));
        assert!(!html(&format!("<p>go {L}&amp;x=1</p>")));
    }

    #[test]
    fn secrets_are_swapped_and_revealed_escaped_for_html() {
        let mut vars = serde_json::json!({
            "code": "012345",
            "link": "https://a.test/r?tenant=acme&token=abc",
            "other": 1,
        });
        let map = vars.as_object_mut().expect("object");
        let s = Secrets::take(map);
        assert_eq!(map["code"], CODE_STAND_IN);
        assert_eq!(map["link"], LINK_STAND_IN);
        assert_eq!(s.payload(), Some(("code", CODE_STAND_IN)));
        let out = format!("<a href=\"{L}\">{C}</a>");
        assert_eq!(
            s.reveal(&out, true),
            "<a href=\"https://a.test/r?tenant=acme&amp;token=abc\">012345</a>"
        );
        assert_eq!(
            s.reveal(&format!("{L} {C}"), false),
            "https://a.test/r?tenant=acme&token=abc 012345"
        );
    }
}
