//! The background sender: delivers each tenant's due outbox messages, retries failures with
//! exponential backoff, and dead-letters a message after a bounded number of attempts.
//!
//! A message is claimed before it is sent (its next attempt is pushed a lease ahead, atomically),
//! so two senders — the server and a CLI command, or two instances — never send it twice; a
//! sender that dies between claim and delivery leaves it to be retried when the lease ends.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use tokio::time::Instant;
use uuid::Uuid;

use super::transport::Transport;
use crate::{
    config::Config,
    error::Result,
    store::{OutboxSignal, TenantScope, entities::outbox},
    telemetry::metrics::Metrics,
    tenants::Tenants,
};

/// Waiting to be (re)sent.
pub const PENDING: &str = "pending";
/// Delivered; the bodies have been erased.
pub const SENT: &str = "sent";
/// Gave up after the maximum number of attempts.
pub const DEAD: &str = "dead";

/// Messages taken from one tenant per round.
const BATCH: u64 = 100;
/// A sweep of every tenant happens once per this many retry rounds.
pub const FULL_SWEEP_ROUNDS: u32 = 12;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    /// When the earliest message still waiting is due (`None`: nothing waits).
    pub next_due: Option<chrono::DateTime<Utc>>,
}

/// Delivers outbox messages through a transport.
#[derive(Clone, Debug)]
pub struct Sender {
    tenants: Tenants,
    transport: Transport,
    retry_base: Duration,
    max_attempts: u32,
    /// How long a claimed message is reserved for the sender that claimed it.
    lease: chrono::Duration,
    metrics: Option<Metrics>,
}

impl Sender {
    /// A sender with the configured transport and retry policy.
    pub fn new(
        config: &Config,
        tenants: Tenants,
        metrics: Option<Metrics>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            tenants,
            transport: Transport::from_config(config)?,
            retry_base: Duration::from_millis(config.mail_retry_base_ms),
            max_attempts: config.mail_max_attempts,
            lease: chrono::Duration::seconds(
                i64::try_from(config.mail_claim_lease_secs).unwrap_or(i64::MAX / 1000),
            ),
            metrics,
        })
    }

    /// The delay before attempt `attempts + 1`, doubling from the base up to an hour.
    fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
        self.retry_base.saturating_mul(factor).min(MAX_BACKOFF)
    }

    fn observe(&self, outcome: &str) {
        if let Some(m) = &self.metrics {
            m.observe_mail(outcome);
        }
    }

    /// Sends every due message of one tenant.
    pub async fn deliver_due(&self, scope: &TenantScope) -> Result<Report> {
        let mut report = Report::default();
        let now = Utc::now();
        let tx = scope.begin().await?;
        let due = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(PENDING))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .order_by_asc(outbox::Column::CreatedAt)
            .limit(BATCH)
            .all(&*tx)
            .await?;
        tx.commit().await?;
        for row in due {
            if !self.claim(scope, &row).await? {
                continue;
            }
            let attempts = row.attempts.saturating_add(1);
            match self.transport.send(&row).await {
                Ok(()) => {
                    self.finish(scope, row.id, |m| {
                        m.status = Set(SENT.into());
                        m.attempts = Set(attempts);
                        m.sent_at = Set(Some(Utc::now()));
                        m.last_error = Set(None);
                        // Codes and tokens must not outlive their delivery.
                        m.text_body = Set(String::new());
                        m.html_body = Set(String::new());
                    })
                    .await?;
                    report.sent += 1;
                    self.observe("sent");
                }
                Err(e) => {
                    let mut error = format!("{e:#}");
                    error.truncate(500);
                    let dead = u32::try_from(attempts).unwrap_or(u32::MAX) >= self.max_attempts;
                    let next = Utc::now()
                        + chrono::Duration::from_std(
                            self.backoff(u32::try_from(attempts).unwrap_or(u32::MAX)),
                        )
                        .unwrap_or(self.lease);
                    tracing::warn!(
                        tenant = %scope.slug(), message_id = %row.id, attempts, dead,
                        error = %error, "mail delivery failed"
                    );
                    self.finish(scope, row.id, |m| {
                        m.attempts = Set(attempts);
                        m.last_error = Set(Some(error.clone()));
                        m.next_attempt_at = Set(next);
                        if dead {
                            m.status = Set(DEAD.into());
                            // A dead letter keeps its metadata for operators, not its codes.
                            m.text_body = Set(String::new());
                            m.html_body = Set(String::new());
                        }
                    })
                    .await?;
                    if dead {
                        report.dead += 1;
                        self.observe("dead");
                    } else {
                        report.retried += 1;
                        self.observe("retry");
                    }
                }
            }
        }
        let tx = scope.read().await?;
        report.next_due = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(PENDING))
            .order_by_asc(outbox::Column::NextAttemptAt)
            .one(&*tx)
            .await?
            .map(|m| m.next_attempt_at);
        tx.commit().await?;
        Ok(report)
    }

    /// Reserves a due message for this sender; false when another sender took it first.
    async fn claim(&self, scope: &TenantScope, row: &outbox::Model) -> Result<bool> {
        let now = Utc::now();
        let tx = scope.begin().await?;
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + self.lease))
            .filter(outbox::Column::Id.eq(row.id))
            .filter(outbox::Column::Status.eq(PENDING))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .exec(&*tx)
            .await?
            .rows_affected
            == 1;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish(
        &self,
        scope: &TenantScope,
        id: Uuid,
        change: impl FnOnce(&mut outbox::ActiveModel),
    ) -> Result<()> {
        let mut m = outbox::ActiveModel {
            id: Set(id),
            ..Default::default()
        };
        change(&mut m);
        let tx = scope.begin().await?;
        outbox::Entity::update(m).exec(&*tx).await?;
        tx.commit().await
    }

    /// Delivers one tenant's due mail, logging rather than failing (used by CLI commands).
    pub async fn flush(&self, scope: &TenantScope) {
        if let Err(e) = self.deliver_due(scope).await {
            tracing::warn!(tenant = %scope.slug(), error = %e, "mail delivery round failed");
        }
    }

    /// Runs forever: delivers at once for tenants that just queued mail; every `sweep_every`,
    /// retries the tenants whose waiting mail has come due; and sweeps every tenant at start and
    /// every [`FULL_SWEEP_ROUNDS`] × `sweep_every` (mail queued by other processes that could not
    /// deliver it). Fresh mail goes first, even in the middle of a sweep: visiting every tenant
    /// is slow with thousands of them (on SQLite each is a file to open).
    pub async fn run(self, signal: OutboxSignal, sweep_every: Duration) {
        let full_every = sweep_every.saturating_mul(FULL_SWEEP_ROUNDS);
        let (mut next_retry, mut next_full) = (Instant::now(), Instant::now());
        // Tenants with mail waiting, and when it is due.
        let mut waiting: HashMap<Uuid, Instant> = HashMap::new();
        loop {
            let mut ids: Vec<Uuid> = Vec::new();
            let now = Instant::now();
            if now >= next_retry {
                ids.extend(
                    waiting
                        .iter()
                        .filter(|(_, due)| **due <= now)
                        .map(|(id, _)| *id),
                );
                next_retry = now + sweep_every;
            }
            if now >= next_full {
                match self.tenants.list().await {
                    Ok(all) => ids.extend(all.iter().map(|t| t.id)),
                    Err(e) => tracing::warn!(error = %e, "listing tenants for the outbox sweep"),
                }
                next_full = Instant::now() + full_every;
            }
            let mut done: HashSet<Uuid> = HashSet::new();
            for id in ids {
                for fresh in signal.take() {
                    self.round(fresh, &mut waiting).await;
                    done.insert(fresh);
                }
                if done.insert(id) {
                    self.round(id, &mut waiting).await;
                }
            }
            for fresh in signal.take() {
                self.round(fresh, &mut waiting).await;
            }
            tokio::select! {
                () = signal.notified() => {}
                () = tokio::time::sleep_until(next_retry.min(next_full)) => {}
            }
        }
    }

    /// One delivery round for tenant `id`; keeps it in `waiting`, with when its next message
    /// is due, while mail is left (after a full batch, at the next round).
    async fn round(&self, id: Uuid, waiting: &mut HashMap<Uuid, Instant>) {
        let t = match self.tenants.get(&id.to_string()).await {
            Ok(t) => t,
            Err(crate::error::Error::TenantNotFound) => {
                waiting.remove(&id);
                return;
            }
            Err(e) => {
                tracing::warn!(tenant_id = %id, error = %e, "outbox: looking up the tenant");
                waiting.insert(id, Instant::now());
                return;
            }
        };
        match self.deliver_due(&self.tenants.scope(&t)).await {
            Ok(r) => match r.next_due {
                None => {
                    waiting.remove(&id);
                }
                Some(at) => {
                    let full = r.sent + r.retried + r.dead >= BATCH as usize;
                    let wait = (at - Utc::now()).to_std().unwrap_or_default();
                    let due = if full {
                        Instant::now()
                    } else {
                        Instant::now() + wait
                    };
                    waiting.insert(id, due);
                }
            },
            Err(e) => {
                tracing::warn!(tenant = %t.slug, error = %e, "mail delivery round failed");
                waiting.insert(id, Instant::now());
            }
        }
    }
}
