//! The console's configuration: the server to talk to and key bindings, from
//! `$XDG_CONFIG_HOME/tenant-admin-tui/config.toml` (or `--config`), then `TENANT_ADMIN_*`
//! environment variables, then `--server`.
//!
//! ```toml
//! server = "https://auth.example.com"
//! [keys]
//! revoke = ["x", "delete"]
//! ```

use std::{collections::HashMap, path::PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// Settings of the console.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The platform's base URL.
    pub server: String,
    /// Action name → keys (see `?` in the console for the names).
    #[serde(default)]
    pub keys: HashMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: "http://127.0.0.1:8080".into(),
            keys: HashMap::new(),
        }
    }
}

/// The default config file's path.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("tenant-admin-tui").join("config.toml"))
}

/// Loads the configuration from `file` (if it exists) and the environment.
pub fn load(file: Option<PathBuf>) -> anyhow::Result<Config> {
    let mut f = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file.or_else(default_path) {
        f = f.merge(Toml::file(path));
    }
    f.merge(Env::prefixed("TENANT_ADMIN_").only(&["server"]))
        .extract()
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_the_server_and_keys_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "server = \"https://a.test\"\n[keys]\nrevoke = [\"z\"]\n",
        )
        .expect("write");
        let c = load(Some(path.clone())).expect("load");
        assert_eq!(c.server, "https://a.test");
        assert_eq!(c.keys["revoke"], vec!["z".to_owned()]);
        std::fs::write(&path, "sever = \"typo\"\n").expect("write");
        assert!(
            load(Some(path))
                .expect_err("typo")
                .to_string()
                .contains("sever")
        );
    }
}
