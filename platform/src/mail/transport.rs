//! Mail transports: `.eml` files into a directory (the default) or SMTP through lettre.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use secrecy::ExposeSecret;

use crate::{config::Config, store::entities::outbox};

/// Where outgoing mail goes.
#[derive(Clone)]
pub enum Transport {
    /// Writes each message as an `.eml` file (development, tests, the acceptance suite).
    File(AsyncFileTransport<Tokio1Executor>),
    /// Sends through an SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::File(_) => "Transport::File",
            Self::Smtp(_) => "Transport::Smtp",
        })
    }
}

impl Transport {
    /// The configured transport: SMTP when `smtp_url` is set, files in the mail dir otherwise.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => {
                let url = url.expose_secret();
                crate::config::check_smtp_url(url)?;
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("smtp_url")?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Ok(Self::Smtp(smtp))
            }
            None => Ok(Self::file(config.mail_dir())?),
        }
    }

    /// A file transport writing into `dir` (created if absent).
    pub fn file(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the mail directory {}", dir.display()))?;
        Ok(Self::File(AsyncFileTransport::new(dir)))
    }

    /// Sends one outbox message.
    pub async fn send(&self, row: &outbox::Model) -> anyhow::Result<()> {
        let from = Mailbox::new(
            Some(row.from_name.clone()),
            row.from_address.parse().context("sender address")?,
        );
        let message = lettre::Message::builder()
            .from(from)
            .to(row.recipient.parse().context("recipient address")?)
            .subject(row.subject.clone())
            .message_id(Some(format!("<{}@platform.invalid>", row.id)))
            .multipart(MultiPart::alternative_plain_html(
                row.text_body.clone(),
                row.html_body.clone(),
            ))
            .context("building the message")?;
        match self {
            Self::File(t) => {
                t.send(message).await.context("writing the .eml file")?;
            }
            Self::Smtp(t) => {
                t.send(message).await.context("SMTP delivery")?;
            }
        }
        Ok(())
    }
}
