//! Checks a whole set of tenant settings before it is stored; the first problem comes back as
//! `400 invalid_request` naming the setting and what is allowed.

use email_templates::{Branding, Message};

use crate::settings::TenantSettings;
use crate::{error::Error, mail::Mailer, ratelimit::Bucket, roles};

const DAY: u32 = 24 * 3600;

fn range(field: &'static str, value: u32, lo: u32, hi: u32, unit: &str) -> Result<(), Error> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{field} must be {lo} to {hi} {unit}"),
        ))
    }
}

/// Checks every value of `s`; templates are checked by rendering them with `mailer`.
pub fn validate(s: &TenantSettings, mailer: &Mailer) -> Result<(), Error> {
    range(
        "access_token_ttl_secs",
        s.access_token_ttl_secs,
        60,
        DAY,
        "seconds",
    )?;
    range(
        "session_idle_secs",
        s.session_idle_secs,
        300,
        365 * DAY,
        "seconds",
    )?;
    range(
        "session_absolute_secs",
        s.session_absolute_secs,
        300,
        365 * DAY,
        "seconds",
    )?;
    range(
        "refresh_reuse_grace_secs",
        s.refresh_reuse_grace_secs,
        0,
        60,
        "seconds",
    )?;
    if s.session_idle_secs > s.session_absolute_secs {
        return Err(Error::invalid(
            "session_idle_secs",
            "session_idle_secs must not exceed session_absolute_secs",
        ));
    }
    roles::validate_custom(&s.custom_roles).map_err(|m| Error::invalid("custom_roles", m))?;
    use roles::Permission::{MembersWrite, SessionsRevoke, SettingsWrite};
    let powerful = roles::permissions(&s.default_role, &s.custom_roles)
        .iter()
        .any(|p| matches!(p, MembersWrite | SessionsRevoke | SettingsWrite));
    if !roles::exists(&s.default_role, &s.custom_roles) || powerful {
        return Err(Error::invalid(
            "default_role",
            "default_role must be a role of the tenant that cannot change members, sessions or \
             settings (self-registration must never grant them)",
        ));
    }
    for (name, limit) in &s.rate_limits {
        let settable = || Bucket::ALL.into_iter().filter(|b| b.tenant_settable());
        if !settable().any(|b| b.name() == name) {
            let known: Vec<&str> = settable().map(|b| b.name()).collect();
            return Err(Error::invalid(
                "rate_limits",
                format!("unknown bucket {name:?} (known: {})", known.join(", ")),
            ));
        }
        if !(1..=10_000).contains(&limit.per_minute) || !(1..=10_000).contains(&limit.burst) {
            return Err(Error::invalid(
                "rate_limits",
                format!("{name}: per_minute and burst must be 1 to 10000"),
            ));
        }
    }
    s.password_policy
        .validate()
        .map_err(|m| Error::invalid("password_policy", m))?;
    let branding = s.branding.apply(&Branding::platform_default());
    branding
        .validate()
        .map_err(|e| Error::invalid("branding", format!("branding: {e}")))?;
    if let Some(url) = &branding.logo_url
        && !url.starts_with("https://")
    {
        return Err(Error::invalid(
            "branding",
            "branding: logo_url must be an https:// URL",
        ));
    }
    for (name, over) in &s.email_templates {
        let message = Message::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Message::ALL.iter().map(|m| m.name()).collect();
            Error::invalid(
                "email_templates",
                format!("unknown message {name:?} (known: {})", known.join(", ")),
            )
        })?;
        mailer
            .check_override(message, over)
            .map_err(|e| Error::invalid("email_templates", format!("{name}: {e}")))?;
    }
    if let Some(days) = s.audit_retention_days {
        range("audit_retention_days", days, 30, 3650, "days")?;
    }
    if s.cors_allowed_origins.len() > 50 {
        return Err(Error::invalid(
            "cors_allowed_origins",
            "cors_allowed_origins holds at most 50 origins",
        ));
    }
    for origin in &s.cors_allowed_origins {
        check_origin(origin)?;
    }
    let b = &s.refresh_binding;
    if let Some(p) = b.ipv4_prefix {
        range("refresh_binding", u32::from(p), 8, 32, "bits (ipv4_prefix)")?;
    }
    if let Some(p) = b.ipv6_prefix {
        range(
            "refresh_binding",
            u32::from(p),
            16,
            128,
            "bits (ipv6_prefix)",
        )?;
    }
    Ok(())
}

/// An origin exactly as browsers send it: `https://host` or `http://host:port`, no path,
/// no wildcard.
fn check_origin(origin: &str) -> Result<(), Error> {
    let bad = || {
        Error::invalid(
            "cors_allowed_origins",
            format!(
                "cors_allowed_origins: {origin:?} is not an origin such as https://app.example.com (scheme, host and \
                 port only; no path, no wildcard)"
            ),
        )
    };
    let url = url::Url::parse(origin).map_err(|_| bad())?;
    let exact = url.origin().ascii_serialization();
    if !matches!(url.scheme(), "http" | "https") || exact != origin || origin.contains('*') {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_are_exactly_what_browsers_send() {
        for ok in [
            "https://app.example.com",
            "http://localhost:3000",
            "https://xn--bcher-kva.example",
        ] {
            assert!(check_origin(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://*.example.com",
            "*",
            "app.example.com",
            "ftp://example.com",
            "https://user@example.com",
            "https://example.com:443",
            "null",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
