//! The mail the platform writes in development (`PLATFORM_MAIL_DIR`, one `.eml` per message):
//! the messages to an address, decoded, and the code or link token in them.

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

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

/// The first run of exactly six digits in the text (an emailed code).
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

/// The value after `token=` in the text (an emailed link's token).
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

/// A mail directory.
#[derive(Clone, Debug)]
pub struct Mailbox {
    dir: PathBuf,
}

impl Mailbox {
    /// The messages in `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Self {
        Self {
            dir: dir.as_ref().to_owned(),
        }
    }

    /// Every message to `to` (case-insensitive, by its `To:` header), decoded, oldest first.
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let to = to.to_lowercase();
        let mut found: Vec<(SystemTime, String)> = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let Ok(raw) = std::fs::read_to_string(e.path()) else {
                    continue;
                };
                let header_to = raw
                    .lines()
                    .find(|l| l.starts_with("To:"))
                    .unwrap_or_default()
                    .to_lowercase();
                if header_to.contains(&to) {
                    let at = e
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(UNIX_EPOCH);
                    found.push((at, decode_qp(&raw)));
                }
            }
        }
        found.sort_by_key(|(t, _)| *t);
        found.into_iter().map(|(_, m)| m).collect()
    }

    /// Waits (up to 10 s) for a message to `to` beyond the first `after` whose plain-text part
    /// `extract` finds something in, newest first.
    pub async fn wait_for(
        &self,
        to: &str,
        after: usize,
        extract: fn(&str) -> Option<String>,
    ) -> Option<String> {
        for _ in 0..200 {
            let msgs = self.messages_to(to);
            for m in msgs.iter().skip(after).rev() {
                if let Some(v) = plain_part(m).and_then(extract) {
                    return Some(v);
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// The code in the newest message to `to` (waiting up to 10 s for one).
    pub async fn code_for(&self, to: &str) -> Option<String> {
        self.wait_for(to, 0, code_in).await
    }

    /// The link token in the newest message to `to` (waiting up to 10 s for one).
    pub async fn token_for(&self, to: &str) -> Option<String> {
        self.wait_for(to, 0, token_in).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_is_undone() {
        assert_eq!(decode_qp("a=3Db=\r\nc =C3=A9"), "a=bc é");
        assert_eq!(decode_qp("=ZZ stays"), "=ZZ stays");
    }

    #[test]
    fn codes_and_tokens_are_found() {
        assert_eq!(code_in("your code: 123456.").as_deref(), Some("123456"));
        assert_eq!(code_in("1234567 is too long"), None);
        assert_eq!(
            token_in("https://x/accept?tenant=a&token=Ab-_9.z~ end").as_deref(),
            Some("Ab-_9.z~")
        );
    }

    #[test]
    fn the_plain_part_is_read() {
        let m = "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello 123456\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--";
        assert_eq!(plain_part(m), Some("hello 123456"));
    }
}
