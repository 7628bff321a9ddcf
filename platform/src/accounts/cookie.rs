//! Cookie mode: the refresh token travels in an HttpOnly, SameSite=Strict cookie scoped to the
//! tenant's auth path instead of the response body, and a cookie-authenticated refresh must
//! carry the session's CSRF token (`X-CSRF-Token`), which the login response body hands to the
//! app. The CSRF token is an HMAC of the session under a key derived from the master key, so the
//! server stores nothing; a cross-site page can make the browser send the cookie, but cannot
//! read the token. Logout is authenticated by the bearer access token, which a browser never
//! attaches by itself, so it needs no CSRF token; it clears the cookie.

use hmac::Mac;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{
    crypto::{codes::token_hash, derive_key, keyed_hmac, to_hex},
    error::{Error, ErrorCode, Result},
    store::{TenantScope, entities::refresh_token},
};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "platform_refresh";
/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// Whether the public URL is plain http on loopback, the one case a cookie may lack `Secure`.
fn insecure_loopback(public_url: &str) -> bool {
    url::Url::parse(public_url).is_ok_and(|u| {
        u.scheme() == "http"
            && u.host_str().is_some_and(|h| {
                h == "localhost"
                    || h.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            })
    })
}

/// Cookie mode's keys and settings, derived once: the CSRF key (from the master key) and
/// whether cookies may go without `Secure` (plain http on loopback only).
#[derive(Clone)]
pub struct Cookies {
    csrf_key: zeroize::Zeroizing<[u8; 32]>,
    secure: bool,
}

impl std::fmt::Debug for Cookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cookies")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl Cookies {
    /// Cookie mode under `master_key`, for a platform served at `public_url`.
    pub fn new(master_key: &[u8; 32], public_url: &str) -> Self {
        Self {
            csrf_key: zeroize::Zeroizing::new(derive_key(master_key, "platform csrf v1")),
            secure: !insecure_loopback(public_url),
        }
    }

    /// The CSRF token of a session.
    pub fn csrf_token(&self, tenant_id: Uuid, session_id: Uuid) -> String {
        let mut mac = keyed_hmac(&self.csrf_key);
        mac.update(tenant_id.as_bytes());
        mac.update(session_id.as_bytes());
        to_hex(&mac.finalize().into_bytes())
    }

    /// `Set-Cookie` for a refresh token, scoped to `/v1/tenants/{tenant_in_path}/auth`.
    pub fn set_refresh(&self, tenant_in_path: &str, token: &str, max_age_secs: u32) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{REFRESH_COOKIE}={token}; Path=/v1/tenants/{tenant_in_path}/auth; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
        )
    }

    /// `Set-Cookie` that removes the refresh cookie.
    pub fn clear_refresh(&self, tenant_in_path: &str) -> String {
        self.set_refresh(tenant_in_path, "", 0)
    }

    /// Checks the CSRF token of a cookie-authenticated refresh against the token's session.
    /// Any mismatch is the same 401 as a bad refresh token.
    pub async fn check_csrf(
        &self,
        scope: &TenantScope,
        refresh: &str,
        csrf: Option<&str>,
    ) -> Result<()> {
        let denied = || Error::Unauthorized {
            code: ErrorCode::InvalidRefreshToken,
            message: "the refresh token is invalid, expired or revoked",
        };
        let csrf = csrf.ok_or(Error::Unauthorized {
            code: ErrorCode::CsrfRequired,
            message: "a refresh with the cookie needs the login's csrf_token as X-CSRF-Token",
        })?;
        let tx = scope.begin().await?;
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash(refresh)))
            .one(&*tx)
            .await?;
        tx.commit().await?;
        let row = row.ok_or_else(denied)?;
        let expected = self.csrf_token(scope.tenant_id(), row.session_id);
        if bool::from(expected.as_bytes().ct_eq(csrf.as_bytes())) {
            Ok(())
        } else {
            Err(denied())
        }
    }
}
