//! Outgoing mail: rendering into the durable outbox, the transports, and the background sender.

pub mod sender;
pub mod transport;

pub mod messages;

use std::sync::Arc;

use chrono::Utc;
use email_templates::{Branding, Message, Templates};
use lettre::message::Mailbox;
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::{
    config::Config,
    domain::EmailAddress,
    error::{Error, Result},
    store::{TenantTx, entities::outbox},
};

/// Renders messages and queues them in a tenant's outbox; cheap to clone.
#[derive(Clone, Debug)]
pub struct Mailer {
    templates: Arc<Templates>,
    from: Mailbox,
    public_url: Arc<str>,
}

impl Mailer {
    /// A mailer with the bundled templates; fails if a template does not compile.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let templates = Templates::try_bundled()
            .map_err(|e| anyhow::anyhow!("compiling the email templates: {e}"))?;
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail_from: {e}"))?;
        Ok(Self {
            templates: Arc::new(templates),
            from,
            public_url: config.public_url().into(),
        })
    }

    /// The base URL that links in emails start with.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Checks a tenant's override of `message`'s templates (see
    /// [`Templates::check_override`]).
    pub fn check_override(
        &self,
        message: Message,
        over: &email_templates::TemplateOverride,
    ) -> std::result::Result<(), email_templates::OverrideError> {
        self.templates.check_override(message, over)
    }

    /// The platform's branding of a tenant's mail; [`Mailer::queue`] applies the tenant's own
    /// branding settings on top.
    pub fn branding_for(&self, tenant_name: &str) -> Branding {
        let name: String = tenant_name.chars().take(100).collect();
        Branding {
            sender_name: name.clone(),
            name,
            sender_address: self.from.email.to_string(),
            ..Branding::platform_default()
        }
    }

    /// Renders `mail` and adds it to the transaction's outbox; it is sent after commit.
    pub async fn queue(
        &self,
        tx: &mut TenantTx,
        branding: &Branding,
        to: &EmailAddress,
        mail: &impl messages::Mail,
    ) -> Result<()> {
        let message = mail.message();
        let vars = serde_json::to_value(mail).map_err(|e| {
            Error::Internal(anyhow::anyhow!("the variables of {}: {e}", message.name()))
        })?;
        // The tenant's branding and template overrides apply to every message it sends.
        let settings = crate::settings::TenantSettings::load(tx).await?;
        let branding = &settings.branding.apply(branding);
        let over = settings.email_templates.get(message.name());
        let rendered = match self
            .templates
            .render_with(message, branding, to.as_str(), &vars, over)
        {
            Ok(r) => Ok(r),
            // An override that passed its check but fails on real values must not lose the
            // mail: the bundled templates take over.
            Err(e) if over.is_some() => {
                tracing::warn!(message = message.name(), error = %e, "a tenant template override failed; using the bundled one");
                self.templates.render(message, branding, to.as_str(), &vars)
            }
            Err(e) => Err(e),
        }
        .map_err(|e| Error::Internal(anyhow::anyhow!("rendering {}: {e}", message.name())))?;
        let now = Utc::now();
        outbox::Entity::insert(outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            message: Set(message.name().to_owned()),
            recipient: Set(to.as_str().to_owned()),
            from_name: Set(branding.sender_name.clone()),
            from_address: Set(branding.sender_address.clone()),
            subject: Set(rendered.subject),
            text_body: Set(rendered.text),
            html_body: Set(rendered.html),
            status: Set(sender::PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
        })
        .exec(&**tx)
        .await?;
        tx.note_mail_queued();
        Ok(())
    }
}
