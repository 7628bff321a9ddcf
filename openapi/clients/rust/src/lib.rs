//! The platform's Rust client, generated at build time by progenitor from the committed
//! `openapi/platform.json`: every operation is a method named after its `operationId`
//! (cookie parameters are left out; refresh tokens travel in the body). The console and the load
//! generator use it; `tests/flow.rs` runs a tenant app's account flow against a real server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use platform_client::{Client, Credentials};
//! let anon = Client::new("http://127.0.0.1:8080", Credentials::none());
//! let token = "…access token from a login…";
//! let me = anon.with_bearer(token).me_get("acme").await?;
//! # Ok(()) }
//! ```

#![allow(clippy::all, clippy::pedantic, missing_docs, unused)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

use reqwest::header::{AUTHORIZATION, HeaderValue};

/// What the client sends to prove who it is: nothing, or an `Authorization: Bearer` token.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    bearer: Option<HeaderValue>,
}

impl Credentials {
    /// Anonymous requests.
    pub fn none() -> Self {
        Self::default()
    }

    /// Requests that carry `token` as a bearer token (marked sensitive, so it is not logged).
    /// A token that cannot be a header value (a control character) is sent as no token at all,
    /// which the server answers with 401.
    pub fn bearer(token: &str) -> Self {
        let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
            .ok()
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        Self { bearer }
    }

    /// The pre-request hook: adds the credentials to one request.
    fn apply(&self, request: &mut reqwest::Request) {
        if let Some(v) = &self.bearer {
            request.headers_mut().insert(AUTHORIZATION, v.clone());
        }
    }
}

impl Client {
    /// The same server and connection pool, sending `token` as the bearer token.
    pub fn with_bearer(&self, token: &str) -> Self {
        Self::new_with_client(
            &self.baseurl,
            self.client.clone(),
            Credentials::bearer(token),
        )
    }

    /// The same server and connection pool, without credentials.
    pub fn anonymous(&self) -> Self {
        Self::new_with_client(&self.baseurl, self.client.clone(), Credentials::none())
    }
}
