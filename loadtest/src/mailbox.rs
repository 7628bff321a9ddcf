//! The server's mail directory read as a mailbox: the newest one-time code sent to each address.
//! Files are removed once read (a file still being written is read again later), so the
//! directory stays small during a long run.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Result, bail};
use tokio::sync::Mutex;

/// Codes by recipient, filled from the mail directory on demand.
pub struct Mailbox {
    dir: PathBuf,
    codes: Mutex<HashMap<String, String>>,
}

impl Mailbox {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            codes: Mutex::new(HashMap::new()),
        }
    }

    /// Waits (up to `timeout`) for a code mailed to `to` and takes it.
    pub async fn code_for(&self, to: &str, timeout: Duration) -> Result<String> {
        let to = to.to_ascii_lowercase();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            {
                let mut codes = self.codes.lock().await;
                if let Some(code) = codes.remove(&to) {
                    return Ok(code);
                }
                scan(&self.dir, &mut codes);
                if let Some(code) = codes.remove(&to) {
                    return Ok(code);
                }
            }
            if tokio::time::Instant::now() >= deadline {
                bail!("no code was mailed to {to} within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Reads every mail in `dir` into `codes` and removes the files.
fn scan(dir: &Path, codes: &mut HashMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if let Some((to, code)) = parse(&text) {
            codes.insert(to, code);
            let _ = std::fs::remove_file(&file);
        } else if is_stale(&file) {
            // Mail without a code (an invitation, an alert), old enough to be complete.
            let _ = std::fs::remove_file(&file);
        }
        // Otherwise it may still be being written: read it again next time.
    }
}

fn is_stale(file: &Path) -> bool {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > Duration::from_secs(5))
}

/// The recipient and the 6-digit code of one message (the code stands alone on its line in the
/// plain-text part); `None` for mail without a code (invitations, alerts).
fn parse(eml: &str) -> Option<(String, String)> {
    let to = eml
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("To:"))?
        .trim();
    let to = to
        .rsplit_once('<')
        .map_or(to, |(_, rest)| rest.trim_end_matches('>'))
        .to_ascii_lowercase();
    let code = eml
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))?;
    Some((to, code.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn finds_the_recipient_and_the_code() {
        let eml = "From: a@b\r\nTo: \"Ann\" <Ann@Acme.test>\r\nSubject: x\r\n\r\nYour code:\r\n\r\n  123456\r\n";
        assert_eq!(parse(eml), Some(("ann@acme.test".into(), "123456".into())));
        let plain = "To: bob@acme.test\n\n654321\n";
        assert_eq!(
            parse(plain),
            Some(("bob@acme.test".into(), "654321".into()))
        );
    }

    #[test]
    fn ignores_mail_without_a_code() {
        assert_eq!(
            parse("To: a@b\n\nYou were invited: https://x/?token=abc\n"),
            None
        );
        assert_eq!(parse("Subject: none\n\n123456\n"), None);
    }
}
