//! Reading the platform's `.eml` output in tests: the newest message to an address, decoded.

use std::time::Duration;

use crate::helpers::TestApp;

/// Decodes quoted-printable text (soft line breaks and `=XX` escapes).
pub fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every message to `to` (case-insensitive) in the mail dir, decoded, oldest first.
pub fn messages_to(app: &TestApp, to: &str) -> Vec<String> {
    let dir = app.dir.path().join("mail");
    let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let Ok(raw) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let header_to = raw
                .lines()
                .find(|l| l.starts_with("To:"))
                .unwrap_or_default()
                .to_lowercase();
            if header_to.contains(&to.to_lowercase()) {
                let at = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                found.push((at, decode_qp(&raw)));
            }
        }
    }
    found.sort_by_key(|(t, _)| *t);
    found.into_iter().map(|(_, m)| m).collect()
}

/// The first run of exactly six digits in the text.
pub fn code_in(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(text[start..i].to_owned());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The value after `token=` in the text.
pub fn token_in(text: &str) -> Option<String> {
    let start = text.find("token=")? + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        .collect();
    (!token.is_empty()).then_some(token)
}

/// The body of the message's `text/plain` part (codes and links are there).
pub fn plain_part(message: &str) -> Option<&str> {
    let part = &message[message.find("Content-Type: text/plain")?..];
    let start = part
        .find("\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| part.find("\n\n").map(|i| i + 2))?;
    let body = &part[start..];
    let end = body.find("\n--").unwrap_or(body.len());
    Some(&body[..end])
}

/// Waits for a message to `to` beyond the first `after`, and extracts a value from it.
pub async fn wait_for(
    app: &TestApp,
    to: &str,
    after: usize,
    extract: fn(&str) -> Option<String>,
) -> String {
    for _ in 0..200 {
        let msgs = messages_to(app, to);
        for m in msgs.iter().skip(after).rev() {
            if let Some(v) = plain_part(m).and_then(extract) {
                return v;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no message to {to} with the expected content");
}
