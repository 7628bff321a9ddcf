//! Layered configuration: defaults → optional TOML file (`PLATFORM_CONFIG`) → `PLATFORM_*` environment.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use anyhow::{Context, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Where tenant data lives, derived from `database_url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: a control file and one file per tenant under the data directory.
    Sqlite,
    /// One PostgreSQL database: a `control` schema and one schema per tenant.
    Postgres,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON when stderr is not a terminal, human-readable otherwise.
    #[default]
    Auto,
    Json,
    Pretty,
}

/// The platform's settings. Every field can come from the config file or from the environment
/// variable named `PLATFORM_` + the field name in upper case (e.g. `PLATFORM_DATABASE_URL`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address `platform serve` listens on.
    pub listen: SocketAddr,
    /// Directory for the SQLite files, the generated master key and (by default) outgoing mail.
    pub data_dir: PathBuf,
    /// `postgres://…` switches to PostgreSQL with one schema per tenant; unset means SQLite.
    #[serde(skip_serializing)]
    pub database_url: Option<SecretString>,
    /// Where outgoing mail is written as `.eml` files when no SMTP server is configured.
    pub mail_dir: Option<PathBuf>,
    /// `smtp://`, `smtp://…?tls=required` (STARTTLS) or `smtps://` (TLS); plain only to loopback.
    #[serde(skip_serializing)]
    pub smtp_url: Option<SecretString>,
    /// The sender of platform mail when a tenant's branding names none.
    pub mail_from: String,
    /// The URL users reach the platform at; links in emails start with it.
    pub public_url: Option<String>,
    /// Base64 of 32 bytes that encrypt secrets at rest; generated into the data dir when unset.
    #[serde(skip_serializing)]
    pub master_key: Option<SecretString>,
    /// `auto`, `json` or `pretty`.
    pub log_format: LogFormat,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a client has to send its request headers.
    pub header_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Seconds between sweeps of every tenant's mail outbox (new mail is sent at once anyway).
    pub outbox_sweep_secs: u64,
    /// First retry delay of a failed delivery, in milliseconds; doubles on every attempt.
    pub mail_retry_base_ms: u64,
    /// Attempts before a message is dead-lettered.
    pub mail_max_attempts: u32,
    /// How long a message claimed for sending is reserved: a sender that dies mid-send (a
    /// crash, SIGKILL) leaves it to be sent after this long. Keep it above the SMTP timeout
    /// (15 s per command), or a slow send may be repeated by another sender.
    pub mail_claim_lease_secs: u64,
    /// Tenants migrated at once by `platform migrate`.
    pub migrate_concurrency: usize,
    /// Connections in the PostgreSQL pool.
    pub pg_max_connections: u32,
    /// How long a request waits for a PostgreSQL connection before failing with `503`: short,
    /// so that requests fail fast while the database is down or restarting.
    pub pg_acquire_timeout_ms: u64,
    /// How long a PostgreSQL connection is kept before it is replaced (bounds the memory a
    /// backend accumulates in catalog caches across many tenant schemas).
    pub pg_connection_lifetime_secs: u64,
    /// Open SQLite tenant pools kept in memory (least recently used are closed).
    pub sqlite_open_tenants: u64,
    /// Run pending migrations when `platform serve` starts.
    pub auto_migrate: bool,
    /// Password checks that may wait for the hashing pool before new ones get 503.
    pub hash_queue: usize,
    /// Password hashes one client address may cost the shared hashing pool a minute, across
    /// every tenant: every sign-in (successful or not), sign-up, reset, invitation and password
    /// check. IPv6 addresses count by their /64.
    pub password_checks_per_ip_per_minute: u32,
    /// How many of those may come at once.
    pub password_checks_per_ip_burst: u32,
    /// Proxies (CIDRs, e.g. `10.0.0.0/8`) whose `Forwarded` / `X-Forwarded-For` headers name the
    /// client: the rightmost hop that is not one of them is the address throttling, refresh
    /// binding and the audit log use. Empty by default: the socket's peer is the client. In the
    /// environment: a comma-separated list.
    #[serde(deserialize_with = "cidr_list")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The one header the trusted proxies write the client into: `x-forwarded-for` (what most
    /// load balancers append to) or `forwarded` (RFC 7239). The other is ignored, since a proxy
    /// passes through whatever the client sent in it.
    pub client_ip_header: ClientIpHeader,
    /// Serve `/metrics` on this address only (e.g. `127.0.0.1:9100`, reachable by the scraper
    /// alone), not on `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// Require `Authorization: Bearer <this>` on `/metrics` (at least 16 characters).
    #[serde(skip_serializing)]
    pub metrics_token: Option<SecretString>,
    /// `PLATFORM_*` environment variables that name no setting and were ignored (`platform`
    /// warns about them once logging is up).
    #[serde(skip)]
    pub ignored_env: Vec<String>,
}

/// Which header names the client behind a trusted proxy.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ClientIpHeader {
    /// `X-Forwarded-For`.
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// A list of CIDRs from a TOML array or a comma-separated string (the environment's form); a
/// bare address is a one-host network.
fn cidr_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }
    let items = match Raw::deserialize(d)? {
        Raw::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Raw::Many(v) => v,
    };
    items
        .iter()
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!("{s:?} is not a CIDR such as 10.0.0.0/8"))
                })
        })
        .collect()
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            mail_dir: None,
            smtp_url: None,
            mail_from: "Platform <no-reply@localhost>".into(),
            public_url: None,
            master_key: None,
            log_format: LogFormat::Auto,
            max_body_bytes: 64 * 1024,
            header_timeout_secs: 10,
            shutdown_grace_secs: 30,
            outbox_sweep_secs: 5,
            mail_retry_base_ms: 2_000,
            mail_max_attempts: 10,
            mail_claim_lease_secs: 120,
            migrate_concurrency: 8,
            pg_max_connections: 16,
            pg_acquire_timeout_ms: 2000,
            pg_connection_lifetime_secs: 30 * 60,
            sqlite_open_tenants: 256,
            auto_migrate: true,
            hash_queue: 256,
            password_checks_per_ip_per_minute: 120,
            password_checks_per_ip_burst: 30,
            trusted_proxies: Vec::new(),
            client_ip_header: ClientIpHeader::XForwardedFor,
            metrics_listen: None,
            metrics_token: None,
            ignored_env: Vec::new(),
        }
    }
}

/// Environment variables that start with `PLATFORM_` but are not settings (`PLATFORM_TEST_*`
/// belong to the test suite).
const NOT_SETTINGS: &[&str] = &["config"];

/// The names of every setting, as serde knows them (so the list cannot drift from the struct):
/// read off the error that an unknown name gets.
fn setting_names() -> &'static [&'static str] {
    let probe =
        Figment::from(Serialized::defaults(Config::default())).merge(("zz_probe_not_a_setting", 0));
    match probe.extract::<Config>() {
        Ok(_) => &[],
        Err(e) => e
            .into_iter()
            .find_map(|e| match e.kind {
                figment::error::Kind::UnknownField(_, expected) => Some(expected),
                _ => None,
            })
            .unwrap_or(&[]),
    }
}

/// Sorts the environment's `PLATFORM_*` names: settings are read; a name close to a setting is
/// a likely typo and refused, with the suggestion; any other name (a script's own
/// `PLATFORM_BIN`, a Kubernetes service's `PLATFORM_PORT`) is returned, to be warned about and
/// ignored.
fn unknown_env_names(
    names: impl IntoIterator<Item = String>,
    settings: &[&str],
) -> anyhow::Result<Vec<String>> {
    let mut ignored = Vec::new();
    for name in names {
        let Some(rest) = name.strip_prefix("PLATFORM_") else {
            continue;
        };
        let key = rest.to_ascii_lowercase();
        if settings.contains(&key.as_str())
            || NOT_SETTINGS.contains(&key.as_str())
            || key.starts_with("test_")
        {
            continue;
        }
        let near = settings
            .iter()
            .map(|s| (strsim::damerau_levenshtein(&key, s), s))
            .filter(|(d, s)| *d <= (s.len() / 5).max(1))
            .min();
        if let Some((_, s)) = near {
            bail!(
                "bad configuration: {name} is not a setting; did you mean PLATFORM_{}?",
                s.to_ascii_uppercase()
            );
        }
        ignored.push(name);
    }
    ignored.sort();
    Ok(ignored)
}

/// Refuses SMTP URLs that would send mail in clear text over a network.
pub fn check_smtp_url(raw: &str) -> anyhow::Result<()> {
    let url = url::Url::parse(raw).context("not a URL")?;
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match url.scheme() {
        "smtps" => Ok(()),
        "smtp" if matches!(tls.as_deref(), Some("required")) => Ok(()),
        "smtp" => {
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_matches(['[', ']'])
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(())
            } else {
                bail!(
                    "plain smtp:// is allowed only to loopback; use smtps:// or smtp://…?tls=required"
                )
            }
        }
        other => bail!("unsupported scheme {other:?}; use smtp:// or smtps://"),
    }
}

impl Config {
    /// Loads the configuration from the defaults, `PLATFORM_CONFIG` and the environment. The
    /// file must hold settings only; in the environment, a `PLATFORM_*` name close to a setting
    /// is refused as a typo and any other is ignored (listed in [`Config::ignored_env`]).
    pub fn load() -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Ok(path) = std::env::var("PLATFORM_CONFIG") {
            if !std::path::Path::new(&path).is_file() {
                bail!("PLATFORM_CONFIG: no config file at {path}");
            }
            figment = figment.merge(Toml::file(&path));
        }
        let settings = setting_names();
        let names = std::env::vars_os().filter_map(|(k, _)| k.into_string().ok());
        let ignored = unknown_env_names(names, settings)?;
        figment = figment.merge(
            Env::prefixed("PLATFORM_")
                .filter(|key| settings.contains(&key.as_str().to_ascii_lowercase().as_str())),
        );
        let mut config = Self::from_figment(figment)?;
        config.ignored_env = ignored;
        Ok(config)
    }

    /// Extracts and validates a configuration (tests build their own figment).
    pub fn from_figment(figment: Figment) -> anyhow::Result<Self> {
        let config: Config = figment.extract().map_err(|e| {
            // figment names the key and where the value came from; keep the message on one line.
            anyhow::anyhow!("bad configuration: {}", e.to_string().replace('\n', "; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                bail!(
                    "bad configuration: database_url must start with postgres:// (unset it for the embedded SQLite)"
                );
            }
        }
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url)
                .with_context(|| format!("bad configuration: public_url {url:?} is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("bad configuration: public_url must be http:// or https://");
            }
        }
        if let Some(smtp) = &self.smtp_url {
            check_smtp_url(smtp.expose_secret())
                .map_err(|e| anyhow::anyhow!("bad configuration: smtp_url: {e}"))?;
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.expose_secret().trim().len() < 16)
        {
            bail!("bad configuration: metrics_token must be at least 16 characters");
        }
        if self.metrics_listen.is_some_and(|m| m == self.listen) {
            bail!("bad configuration: metrics_listen must differ from listen");
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            bail!(
                "bad configuration: mail_from {:?} is not a mailbox such as `Name <addr@example.com>`",
                self.mail_from
            );
        }
        for (name, value) in [
            ("max_body_bytes", self.max_body_bytes as u64),
            ("header_timeout_secs", self.header_timeout_secs),
            ("outbox_sweep_secs", self.outbox_sweep_secs),
            ("mail_retry_base_ms", self.mail_retry_base_ms),
            ("mail_max_attempts", u64::from(self.mail_max_attempts)),
            ("mail_claim_lease_secs", self.mail_claim_lease_secs),
            ("migrate_concurrency", self.migrate_concurrency as u64),
            ("pg_max_connections", u64::from(self.pg_max_connections)),
            ("pg_acquire_timeout_ms", self.pg_acquire_timeout_ms),
            (
                "pg_connection_lifetime_secs",
                self.pg_connection_lifetime_secs,
            ),
            ("sqlite_open_tenants", self.sqlite_open_tenants),
            ("hash_queue", self.hash_queue as u64),
            (
                "password_checks_per_ip_per_minute",
                u64::from(self.password_checks_per_ip_per_minute),
            ),
            (
                "password_checks_per_ip_burst",
                u64::from(self.password_checks_per_ip_burst),
            ),
        ] {
            if value == 0 {
                bail!("bad configuration: {name} must be greater than 0");
            }
        }
        Ok(())
    }

    /// Which backend `database_url` selects.
    pub fn backend(&self) -> Backend {
        if self.database_url.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The mail directory: `mail_dir`, or `mail` under the data directory.
    pub fn mail_dir(&self) -> PathBuf {
        self.mail_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("mail"))
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// How long to wait between outbox sweeps.
    pub fn outbox_sweep(&self) -> Duration {
        Duration::from_secs(self.outbox_sweep_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    fn with(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        for (k, v) in pairs {
            figment = figment.merge((*k, *v));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn defaults_are_the_embedded_set_up() {
        let c = with(&[]).expect("defaults are valid");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.backend(), Backend::Sqlite);
        assert_eq!(c.mail_dir(), PathBuf::from("./data/mail"));
        assert_eq!(c.public_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let e = with(&[("listen", "not-an-address")]).expect_err("refused");
        assert!(e.to_string().contains("listen"), "{e}");
        let e = with(&[("database_url", "mysql://x")]).expect_err("refused");
        assert!(e.to_string().contains("database_url"), "{e}");
        let e = with(&[("smtp_url", "smtp://mail.example.com:25")]).expect_err("refused");
        assert!(e.to_string().contains("smtp_url"), "{e}");
        let e = with(&[("public_url", "ftp://x")]).expect_err("refused");
        assert!(e.to_string().contains("public_url"), "{e}");
        let e = with(&[("migrate_concurrency", "0")]).expect_err("refused");
        assert!(e.to_string().contains("migrate_concurrency"), "{e}");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail dictates the closure's error type
    fn file_then_environment_and_the_environment_wins() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "platform.toml",
                "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/platform\"\nmax_body_bytes = 1024\n",
            )?;
            jail.set_env("PLATFORM_CONFIG", "platform.toml");
            jail.set_env("PLATFORM_LISTEN", "127.0.0.1:9100");
            jail.set_env("PLATFORM_TEST_DATABASE_URL", "ignored by the platform");
            let c = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(c.listen.to_string(), "127.0.0.1:9100");
            assert_eq!(c.data_dir, PathBuf::from("/srv/platform"));
            assert_eq!(c.max_body_bytes, 1024);
            jail.set_env("PLATFORM_BIN", "/usr/local/bin/platform");
            jail.set_env("PLATFORM_PORT", "tcp://10.0.0.7:8080");
            let c = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(c.ignored_env, ["PLATFORM_BIN", "PLATFORM_PORT"]);
            jail.set_env("PLATFORM_LISTN", "typo");
            let e = Config::load().expect_err("a likely typo is refused");
            assert!(
                e.to_string()
                    .contains("PLATFORM_LISTN is not a setting; did you mean PLATFORM_LISTEN?"),
                "{e}"
            );
            jail.set_env("PLATFORM_CONFIG", "missing.toml");
            assert!(Config::load().is_err());
            Ok(())
        });
    }

    #[test]
    fn plain_smtp_only_to_loopback() {
        assert!(check_smtp_url("smtp://127.0.0.1:2525").is_ok());
        assert!(check_smtp_url("smtp://localhost:25").is_ok());
        assert!(check_smtp_url("smtp://[::1]:25").is_ok());
        assert!(check_smtp_url("smtp://mail.example.com:25").is_err());
        assert!(check_smtp_url("smtp://mail.example.com:587?tls=required").is_ok());
        assert!(check_smtp_url("smtps://user:pw@mail.example.com").is_ok());
        assert!(check_smtp_url("http://x").is_err());
    }

    #[test]
    fn every_setting_is_known_by_name() {
        let names = setting_names();
        for n in [
            "listen",
            "database_url",
            "smtp_url",
            "master_key",
            "metrics_token",
            "trusted_proxies",
        ] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        assert!(!names.contains(&"ignored_env"), "{names:?}");
    }

    #[test]
    fn names_close_to_a_setting_are_typos_and_the_rest_are_ignored() {
        let settings = setting_names();
        let sort = |names: &[&str]| {
            unknown_env_names(names.iter().map(|n| (*n).to_owned()), settings)
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            sort(&[
                "PLATFORM_LISTEN",
                "PLATFORM_TEST_DATABASE_URL",
                "PLATFORM_CONFIG",
                "HOME"
            ]),
            Ok(vec![])
        );
        assert_eq!(
            sort(&["PLATFORM_SERVICE_HOST", "PLATFORM_PORT_8080_TCP"]),
            Ok(vec![
                "PLATFORM_PORT_8080_TCP".to_owned(),
                "PLATFORM_SERVICE_HOST".to_owned()
            ])
        );
        for (typo, meant) in [
            ("PLATFORM_DATABASE_ULR", "PLATFORM_DATABASE_URL"),
            ("PLATFORM_SMTPURL", "PLATFORM_SMTP_URL"),
            ("PLATFORM_HASH_QUEU", "PLATFORM_HASH_QUEUE"),
            ("PLATFORM_LOG_FROMAT", "PLATFORM_LOG_FORMAT"),
        ] {
            let e = sort(&[typo]).expect_err(typo);
            assert!(e.contains(&format!("did you mean {meant}?")), "{e}");
        }
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_a_comma_separated_string() {
        let c = with(&[("trusted_proxies", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")]).expect("valid");
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(("trusted_proxies", vec!["127.0.0.1/32"]));
        let c = Config::from_figment(figment).expect("valid");
        assert_eq!(c.trusted_proxies.len(), 1);
        let e = with(&[("trusted_proxies", "10.0.0.0/8, nope")]).expect_err("refused");
        assert!(e.to_string().contains("trusted_proxies"), "{e}");
        assert!(with(&[]).expect("defaults").trusted_proxies.is_empty());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = with(&[
            ("database_url", "postgres://u:hunter2@db/x"),
            ("master_key", "c2VjcmV0"),
        ])
        .expect("valid");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
        assert_eq!(c.backend(), Backend::Postgres);
    }
}
