//! The master key that encrypts secrets at rest: from `master_key`, or generated once into the
//! data directory (`master.key`, mode 0600).

use std::{fs::OpenOptions, io::Write, os::unix::fs::OpenOptionsExt, path::Path};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};

use crate::config::Config;

/// The file the generated key is kept in, inside the data directory.
pub const KEY_FILE: &str = "master.key";

/// 32 secret bytes; never printed (`Debug` is redacted).
#[derive(Clone)]
pub struct MasterKey(std::sync::Arc<SecretBox<[u8; 32]>>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

impl MasterKey {
    /// The configured key, or the one in the data dir, generating it there when absent.
    pub fn load_or_create(config: &Config) -> anyhow::Result<Self> {
        if let Some(b64) = &config.master_key {
            return Self::decode(b64.expose_secret()).context("bad configuration: master_key");
        }
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
        let path = config.data_dir.join(KEY_FILE);
        if !path.exists() {
            Self::generate_into(&path)?;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Self::decode(text.trim()).with_context(|| format!("{} is not a valid key", path.display()))
    }

    fn generate_into(path: &Path) -> anyhow::Result<()> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?;
        file.write_all(STANDARD.encode(bytes).as_bytes())?;
        file.sync_all()?;
        Ok(())
    }

    fn decode(b64: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD.decode(b64).context("not base64")?;
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!("a master key is 32 bytes, base64-encoded");
        };
        Ok(Self(std::sync::Arc::new(SecretBox::new(Box::new(key)))))
    }

    /// The key bytes, for the AEAD that encrypts secrets at rest.
    pub fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        let a = MasterKey::load_or_create(&config).expect("created");
        let b = MasterKey::load_or_create(&config).expect("loaded");
        assert_eq!(a.bytes(), b.bytes());
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(format!("{a:?}"), "MasterKey([REDACTED])");
    }

    #[test]
    fn refuses_a_short_key() {
        assert!(MasterKey::decode("c2hvcnQ=").is_err());
    }
}
