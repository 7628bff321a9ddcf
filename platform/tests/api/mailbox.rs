//! Reading the platform's `.eml` output in tests: the newest message to an address, decoded.

use crate::helpers::TestApp;

pub use harness::mail::{code_in, decode_qp, plain_part, token_in};

/// Every message to `to` (case-insensitive) in the app's mail dir, decoded, oldest first.
pub fn messages_to(app: &TestApp, to: &str) -> Vec<String> {
    harness::mail::Mailbox::new(app.dir.path().join("mail")).messages_to(to)
}

/// Waits for a message to `to` beyond the first `after`, and extracts a value from it.
pub async fn wait_for(
    app: &TestApp,
    to: &str,
    after: usize,
    extract: fn(&str) -> Option<String>,
) -> String {
    harness::mail::Mailbox::new(app.dir.path().join("mail"))
        .wait_for(to, after, extract)
        .await
        .unwrap_or_else(|| panic!("no message to {to} with the expected content"))
}
