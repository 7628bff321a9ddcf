//! The audit log's hash chain: each event stores the SHA-256 of its own fields and of the
//! previous event's hash, and a position (`seq`) with no gaps. Editing an event, deleting one or
//! re-ordering them breaks the chain at that point, which [`verify`] finds and names.
//!
//! After retention prunes old events, a checkpoint (the last pruned event's `seq` and `hash`,
//! signed with HMAC under a master-key-derived key, bound to the tenant) is where the chain
//! resumes; a database writer without the master key cannot forge one to hide a deletion, nor
//! move one from another tenant's log.

use hmac::Mac;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{
    crypto::{derive_key, keyed_hmac, to_hex},
    error::Result,
    store::{
        TenantTx,
        entities::{audit_checkpoint, audit_event},
    },
};

/// The label the checkpoint-signing key is derived under.
const CHECKPOINT_KEY_LABEL: &str = "platform audit checkpoints v2";
/// The label of earlier releases' checkpoints, which did not bind the tenant.
const LEGACY_CHECKPOINT_KEY_LABEL: &str = "platform audit checkpoints v1";
/// Events read per query while verifying or exporting.
pub const BATCH: u64 = 1000;

/// The hex SHA-256 of `row`'s fields and `prev_hash`, in a fixed order as a JSON array (so no
/// two different events serialise alike). `hash` itself is not an input.
pub fn hash(row: &audit_event::Model) -> String {
    let canonical = serde_json::json!([
        "v1",
        row.seq,
        row.id.to_string(),
        row.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        row.actor_type,
        row.actor_id,
        row.action,
        row.target_type,
        row.target_id,
        row.outcome,
        row.ip,
        row.user_agent,
        row.request_id,
        row.details,
        row.prev_hash,
    ]);
    to_hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

/// Signs tenant `tenant`'s checkpoint at (`seq`, `hash`) with the key derived from
/// `master_key`: a checkpoint copied into another tenant's log does not check there.
pub fn sign_checkpoint(master_key: &[u8; 32], tenant: uuid::Uuid, seq: i64, hash: &str) -> String {
    mac_hex(
        master_key,
        CHECKPOINT_KEY_LABEL,
        &format!("{tenant}:{seq}:{hash}"),
    )
}

/// The signature earlier releases gave a checkpoint, without the tenant (still accepted, and
/// re-signed by [`resign_legacy_checkpoints`]).
pub fn legacy_signature(master_key: &[u8; 32], seq: i64, hash: &str) -> String {
    mac_hex(
        master_key,
        LEGACY_CHECKPOINT_KEY_LABEL,
        &format!("{seq}:{hash}"),
    )
}

fn mac_hex(master_key: &[u8; 32], label: &str, message: &str) -> String {
    let mut key = derive_key(master_key, label);
    let mut mac = keyed_hmac(&key);
    secrecy::zeroize::Zeroize::zeroize(&mut key);
    mac.update(message.as_bytes());
    to_hex(&mac.finalize().into_bytes())
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The tenant migration of the release that bound checkpoints to their tenant: when it is
/// applied to a tenant (by `platform migrate`, a starting server, or a restore), that tenant's
/// checkpoints are re-signed once ([`resign_legacy_checkpoints`]). After that, a checkpoint with
/// an earlier release's signature was copied or forged, and [`verify`] says so.
pub const CHECKPOINT_BINDING_MIGRATION: &str = "m0007_hardening";

/// Re-signs the checkpoints of the tenant of `tx` that carry an earlier release's signature
/// (valid, but not bound to the tenant); returns how many. Run once per tenant, when
/// [`CHECKPOINT_BINDING_MIGRATION`] is applied.
pub async fn resign_legacy_checkpoints(tx: &TenantTx, master_key: &[u8; 32]) -> Result<u64> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let mut n = 0;
    for cp in audit_checkpoint::Entity::find().all(&**tx).await? {
        if same(
            &cp.signature,
            &legacy_signature(master_key, cp.seq, &cp.hash),
        ) {
            let signature = sign_checkpoint(master_key, tx.tenant_id(), cp.seq, &cp.hash);
            let mut row: audit_checkpoint::ActiveModel = cp.into();
            row.signature = Set(signature);
            row.update(&**tx).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// The newest checkpoint, if retention ever pruned this tenant's log.
pub async fn latest_checkpoint(tx: &TenantTx) -> Result<Option<audit_checkpoint::Model>> {
    Ok(audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .one(&**tx)
        .await?)
}

/// The `seq` and `prev_hash` of the next event: after the newest event, or after the newest
/// checkpoint when every event was pruned, or `(1, "")` for the first event.
pub async fn next_link(tx: &TenantTx) -> Result<(i64, String)> {
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .one(&**tx)
        .await?;
    if let Some(e) = last {
        return Ok((e.seq.unwrap_or(0) + 1, e.hash.unwrap_or_default()));
    }
    Ok(match latest_checkpoint(tx).await? {
        Some(cp) => (cp.seq + 1, cp.hash),
        None => (1, String::new()),
    })
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Break {
    /// The `seq` of the first event that does not check.
    pub seq: i64,
    /// That event's id.
    pub id: String,
    /// What is wrong, in words.
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Chained events checked.
    pub events: u64,
    /// Events written before the chain existed (not covered by it).
    pub unchained: u64,
    /// The checkpoint the chain starts from, if events were pruned.
    pub checkpoint_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// `None` when the whole chain checks.
    pub broken: Option<Break>,
}

/// Checks the whole chain of the tenant of `tx`, oldest first, and stops at the first break.
pub async fn verify(tx: &TenantTx, master_key: &[u8; 32]) -> Result<Report> {
    use sea_orm::PaginatorTrait;
    let unchained = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.is_null())
        .count(&**tx)
        .await?;
    let checkpoint = latest_checkpoint(tx).await?;
    let mut report = Report {
        events: 0,
        unchained,
        checkpoint_seq: checkpoint.as_ref().map(|c| c.seq),
        last_seq: None,
        broken: None,
    };
    let (expect_seq, expect_prev) = match &checkpoint {
        Some(cp) => {
            let good = sign_checkpoint(master_key, tx.tenant_id(), cp.seq, &cp.hash);
            if !same(&good, &cp.signature) {
                let legacy = same(
                    &legacy_signature(master_key, cp.seq, &cp.hash),
                    &cp.signature,
                );
                report.broken = Some(Break {
                    seq: cp.seq,
                    id: cp.id.to_string(),
                    reason: if legacy {
                        "the retention checkpoint carries an earlier release's signature, which \
                         does not bind the tenant; the upgrade re-signed every such checkpoint \
                         once, so this one was copied in later"
                            .into()
                    } else {
                        "the retention checkpoint's signature does not check: it was forged or \
                         altered"
                            .into()
                    },
                });
                return Ok(report);
            }
            (cp.seq + 1, cp.hash.clone())
        }
        None => (1, String::new()),
    };
    let mut after = expect_seq - 1;
    let mut walk = Walk::new(expect_seq, expect_prev, report);
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(&**tx)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq.unwrap_or(after);
        for row in batch {
            let link = Link {
                seq: row.seq.unwrap_or_default(),
                id: row.id,
                prev_hash: row.prev_hash.as_deref(),
                hash: row.hash.as_deref(),
                computed: hash(&row),
            };
            if !walk.step(&link) {
                return Ok(walk.report);
            }
        }
    }
    Ok(walk.report)
}

/// One chained row as [`Walk`] checks it.
pub struct Link<'a> {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub prev_hash: Option<&'a str>,
    pub hash: Option<&'a str>,
    /// The hash its fields give now.
    pub computed: String,
}

/// Checks chained rows in order of `seq`, one at a time, stopping at the first break.
pub struct Walk {
    expect_seq: i64,
    expect_prev: String,
    pub report: Report,
}

impl Walk {
    /// A walk expecting `seq` and `prev` next, filling `report`.
    pub fn new(seq: i64, prev: String, report: Report) -> Self {
        Self {
            expect_seq: seq,
            expect_prev: prev,
            report,
        }
    }

    /// Checks the next row; `false` (with `report.broken` set) when the chain breaks at it.
    pub fn step(&mut self, row: &Link<'_>) -> bool {
        let (seq, expect_seq) = (row.seq, self.expect_seq);
        let problem = if seq != expect_seq {
            Some(if seq > expect_seq {
                format!(
                    "event(s) {}{} are missing before this one (deleted)",
                    expect_seq,
                    if seq - 1 > expect_seq {
                        format!(" to {}", seq - 1)
                    } else {
                        String::new()
                    }
                )
            } else {
                format!("sequence number {seq} repeats or goes back")
            })
        } else if row.prev_hash != Some(self.expect_prev.as_str()) {
            Some(format!(
                "its prev_hash does not match the hash of event {}: one of the two was altered",
                seq - 1
            ))
        } else if row.hash != Some(row.computed.as_str()) {
            Some("its contents do not match its hash: the event was altered".into())
        } else {
            None
        };
        if let Some(reason) = problem {
            self.report.broken = Some(Break {
                seq,
                id: row.id.to_string(),
                reason,
            });
            return false;
        }
        self.report.events += 1;
        self.report.last_seq = Some(seq);
        self.expect_seq = seq + 1;
        self.expect_prev = row.hash.unwrap_or_default().to_owned();
        true
    }
}

/// Re-signs the tenant's checkpoints that an earlier release signed without binding the tenant
/// (once, as the release that binds them is applied, or when an old backup is restored).
pub async fn resign_tenant(
    scope: &crate::store::TenantScope,
    master_key: &[u8; 32],
) -> crate::error::Result<()> {
    let tx = scope.begin().await?;
    tx.lock("audit").await?;
    let n = resign_legacy_checkpoints(&tx, master_key).await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(tenant = %scope.slug(), checkpoints = n, "re-signed audit checkpoints to bind the tenant");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, prev: &str) -> audit_event::Model {
        audit_event::Model {
            id: uuid::Uuid::nil(),
            occurred_at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000)
                .expect("time"),
            actor_type: "user".into(),
            actor_id: Some("u1".into()),
            action: "auth.login".into(),
            target_type: None,
            target_id: None,
            outcome: "success".into(),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            request_id: None,
            details: Some(r#"{"amr":["pwd"]}"#.into()),
            seq: Some(seq),
            prev_hash: Some(prev.into()),
            hash: None,
        }
    }

    #[test]
    fn every_field_and_the_link_change_the_hash() {
        let base = event(1, "");
        let h = hash(&base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, hash(&base.clone()), "deterministic");
        let variants = [
            audit_event::Model {
                action: "auth.logout".into(),
                ..base.clone()
            },
            audit_event::Model {
                seq: Some(2),
                ..base.clone()
            },
            audit_event::Model {
                prev_hash: Some("00".into()),
                ..base.clone()
            },
            audit_event::Model {
                details: None,
                ..base.clone()
            },
            audit_event::Model {
                ip: Some("127.0.0.2".into()),
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(hash(&v), h, "{v:?}");
        }
        // The stored hash is not an input.
        let with_hash = audit_event::Model {
            hash: Some("x".into()),
            ..base
        };
        assert_eq!(hash(&with_hash), h);
    }

    #[test]
    fn checkpoint_signatures_depend_on_key_seq_and_hash() {
        let k = [7u8; 32];
        let (t, u) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let s = sign_checkpoint(&k, t, 10, "abc");
        assert_eq!(s, sign_checkpoint(&k, t, 10, "abc"));
        assert_ne!(s, sign_checkpoint(&[8u8; 32], t, 10, "abc"));
        assert_ne!(s, sign_checkpoint(&k, t, 11, "abc"));
        assert_ne!(s, sign_checkpoint(&k, t, 10, "abd"));
        assert_ne!(s, sign_checkpoint(&k, u, 10, "abc"), "bound to the tenant");
        assert_ne!(s, legacy_signature(&k, 10, "abc"));
    }
}
