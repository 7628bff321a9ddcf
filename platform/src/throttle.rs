//! Throttling of the public auth flows, on top of governor's keyed limiters.
//!
//! Requests that cost little or reveal nothing are limited per attempt (`every_attempt`).
//! Password, code and second-factor checks are limited per *failure*, and the failure is
//! reserved before the check runs ([`reserve`]): every request in flight already holds one of
//! its key's cells, so a burst sent at once gets no more checks than the limit allows. A check
//! that succeeds gives its cells back ([`Reservation::refund`]): successes never count.
//!
//! governor cannot return a cell, so a refund is kept as a credit of the key that the key's
//! next reservation takes instead of a cell. A credit lasts one refill interval of its bucket,
//! never longer than the spent cell would take to come back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{
    audit::RequestMeta,
    error::{Error, Result},
    ratelimit::{Bucket, RateLimiter, RetryAfter},
    settings::TenantSettings,
    store::TenantScope,
};

/// Refunded cells, by `bucket:key`: how many and until when they may be taken.
pub type Credits = moka::sync::Cache<String, (u32, Instant)>;

/// A new, empty credit store.
pub fn new_credits() -> Credits {
    moka::sync::Cache::builder()
        .max_capacity(1_000_000)
        .time_to_live(Duration::from_secs(600))
        .build()
}

/// A tenant's throttling overrides and the limiter built from them.
type TenantLimiter = (Vec<(Bucket, crate::ratelimit::Policy)>, Arc<RateLimiter>);

/// The throttles of the auth flows, owning their caches: the platform's shared limiter, the
/// limiters of tenants whose settings override a policy, and refunded cells. Cheap to clone.
#[derive(Clone)]
pub struct Throttle {
    limiter: Arc<RateLimiter>,
    /// Tenants whose settings override throttling: their overrides and their own limiter.
    tenant_limiters: moka::future::Cache<uuid::Uuid, TenantLimiter>,
    /// Tenants whose throttling settings were read in the last minute.
    limits_checked: moka::future::Cache<uuid::Uuid, ()>,
    credits: Credits,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

impl Throttle {
    /// Throttles whose shared limiter is `limiter` (tenants without overrides use it too).
    pub fn new(limiter: Arc<RateLimiter>) -> Self {
        Self {
            limiter,
            tenant_limiters: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            limits_checked: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            credits: new_credits(),
        }
    }

    /// Forgets what tenant `tenant`'s settings said (they changed).
    pub async fn forget(&self, tenant: uuid::Uuid) {
        self.tenant_limiters.invalidate(&tenant).await;
        self.limits_checked.invalidate(&tenant).await;
    }

    /// Forgets every tenant's overrides (notifications may have been missed).
    pub fn forget_all(&self) {
        self.tenant_limiters.invalidate_all();
        self.limits_checked.invalidate_all();
    }
}

/// The limiter for a tenant: the shared one, or the tenant's own when its settings override
/// a policy. Settings are re-read at most once a minute; a limiter is replaced (and its counts
/// reset) only when the tenant's overrides change.
async fn limiter(throttle: &Throttle, scope: &TenantScope) -> Arc<RateLimiter> {
    let tenant_id = scope.tenant_id();
    let current = throttle.tenant_limiters.get(&tenant_id).await;
    if let Some((_, l)) = &current
        && throttle.limits_checked.contains_key(&tenant_id)
    {
        return l.clone();
    }
    let overrides = match scope.read().await {
        Ok(tx) => {
            let s = TenantSettings::load(&tx).await.unwrap_or_default();
            let _ = tx.commit().await;
            s.rate_limit_overrides()
        }
        Err(_) => Vec::new(),
    };
    throttle.limits_checked.insert(tenant_id, ()).await;
    let limiter = match current {
        Some((old, l)) if old == overrides => l,
        _ if overrides.is_empty() => throttle.limiter.clone(),
        _ => Arc::new(RateLimiter::with_policies(&overrides)),
    };
    throttle
        .tenant_limiters
        .insert(tenant_id, (overrides, limiter.clone()))
        .await;
    limiter
}

/// Trims every limiter's idle keys (the server calls this every minute).
pub fn housekeeping(throttle: &Throttle) {
    throttle.limiter.housekeeping();
    for (_, (_, l)) in throttle.tenant_limiters.iter() {
        l.housekeeping();
    }
    throttle.credits.run_pending_tasks();
}

fn rate_limited(retry: RetryAfter) -> Error {
    Error::RateLimited {
        retry_after_secs: retry.secs(),
    }
}

/// Counts one attempt against `bucket` for `key`; refuses when over the limit.
pub async fn every_attempt(
    throttle: &Throttle,
    scope: &TenantScope,
    bucket: Bucket,
    key: &str,
) -> Result<()> {
    limiter(throttle, scope)
        .await
        .check(bucket, key)
        .map_err(rate_limited)
}

/// Counts one attempt like [`every_attempt`], but only says whether it went over the limit:
/// for flows whose answer must not change (a 429 would reveal that an account exists).
pub async fn over_quietly(
    throttle: &Throttle,
    scope: &TenantScope,
    bucket: Bucket,
    key: &str,
) -> bool {
    every_attempt(throttle, scope, bucket, key).await.is_err()
}

/// The client's address as throttling counts it: IPv4 as is, IPv6 by its /64 (one subscriber
/// typically holds a whole /64, so single addresses would be free to rotate).
pub fn ip_class(meta: &RequestMeta) -> String {
    match meta.ip.as_deref().map(str::parse::<std::net::IpAddr>) {
        Some(Ok(std::net::IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Some(Ok(ip)) => ip.to_string(),
        _ => "-".into(),
    }
}

/// The platform-wide key of the client's address (IPv6 by its /64), across every tenant.
pub fn platform_ip_key(meta: &RequestMeta) -> String {
    ip_class(meta)
}

/// Counts one password hash against the client's platform-wide budget
/// ([`Bucket::PasswordCheckIp`]); refuses when it is spent. Every hash a request makes costs
/// the shared pool, a successful sign-in's too (accounts of its own in many tenants must not
/// give a client a way around the budget).
pub async fn platform_hash_budget(throttle: &Throttle, meta: &RequestMeta) -> Result<()> {
    throttle
        .limiter
        .check(Bucket::PasswordCheckIp, &platform_ip_key(meta))
        .map_err(rate_limited)
}

/// One cell held by a [`Reservation`].
#[derive(Debug)]
struct Held {
    limiter: Arc<RateLimiter>,
    bucket: Bucket,
    key: String,
}

/// Cells taken before a check; dropped (spent) when the check fails, given back with
/// [`Reservation::refund`] when it succeeds.
#[derive(Debug, Default)]
#[must_use = "a reservation is refunded on success, or dropped (spent) on failure"]
pub struct Reservation {
    held: Vec<Held>,
}

impl Reservation {
    /// The check succeeded: every cell comes back, as a credit of its key.
    pub fn refund(self, throttle: &Throttle) {
        for h in self.held {
            give_back(&throttle.credits, &h);
        }
    }
}

fn credit_key(bucket: Bucket, key: &str) -> String {
    format!("{bucket:?}:{key}")
}

/// Takes one credit of (`bucket`, `key`) if one is left and fresh.
fn take_credit(credits: &Credits, bucket: Bucket, key: &str) -> bool {
    let mut took = false;
    credits
        .entry(credit_key(bucket, key))
        .and_compute_with(|entry| {
            use moka::ops::compute::Op;
            match entry.map(moka::Entry::into_value) {
                Some((n, until)) if n > 0 && until > Instant::now() => {
                    took = true;
                    if n == 1 {
                        Op::Remove
                    } else {
                        Op::Put((n - 1, until))
                    }
                }
                Some(_) => Op::Remove,
                None => Op::Nop,
            }
        });
    took
}

fn give_back(credits: &Credits, h: &Held) {
    let policy = h.limiter.policy(h.bucket);
    let interval = Duration::from_secs(60) / policy.per_minute.max(1);
    let until = Instant::now() + interval;
    credits
        .entry(credit_key(h.bucket, &h.key))
        .and_compute_with(|entry| {
            use moka::ops::compute::Op;
            let n = match entry.map(moka::Entry::into_value) {
                Some((n, old)) if old > Instant::now() => n,
                _ => 0,
            };
            // Never more credits than the bucket's burst: no key banks checks.
            Op::Put(((n + 1).min(policy.burst.max(1)), until))
        });
}

/// Where a cell comes from: the tenant's limiter, or the platform-wide one.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// A bucket of the tenant's limiter (its settings may override the policy).
    Tenant(Bucket, &'a str),
    /// A bucket of the platform's shared limiter (operator sign-in, the per-IP hash budget).
    Platform(Bucket, &'a str),
}

/// Reserves one failure of each cell before a check: a credit if the key has one, else a cell
/// of its limiter. When any is out of cells, the ones already taken go back and the answer is
/// `429` with the wait. `scope` is `None` outside a tenant (operator sign-in).
pub async fn reserve(
    throttle: &Throttle,
    scope: Option<&TenantScope>,
    cells: &[Cell<'_>],
) -> Result<Reservation> {
    let tenant = match scope {
        Some(s) if cells.iter().any(|c| matches!(c, Cell::Tenant(..))) => {
            Some(limiter(throttle, s).await)
        }
        _ => None,
    };
    let mut taken = Reservation::default();
    for cell in cells {
        let (limiter, bucket, key) = match *cell {
            Cell::Tenant(b, k) => (
                tenant.clone().unwrap_or_else(|| throttle.limiter.clone()),
                b,
                k,
            ),
            Cell::Platform(b, k) => (throttle.limiter.clone(), b, k),
        };
        if !take_credit(&throttle.credits, bucket, key)
            && let Err(retry) = limiter.check(bucket, key)
        {
            taken.refund(throttle);
            return Err(rate_limited(retry));
        }
        taken.held.push(Held {
            limiter,
            bucket,
            key: key.to_owned(),
        });
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::Policy;

    fn held(limiter: &Arc<RateLimiter>, key: &str) -> Held {
        Held {
            limiter: limiter.clone(),
            bucket: Bucket::LoginAccount,
            key: key.into(),
        }
    }

    #[test]
    fn a_refunded_cell_is_taken_once_by_the_next_attempt() {
        let credits = new_credits();
        let limiter = Arc::new(RateLimiter::with_policies(&[(
            Bucket::LoginAccount,
            Policy {
                per_minute: 1,
                burst: 2,
            },
        )]));
        assert!(!take_credit(&credits, Bucket::LoginAccount, "k"));
        give_back(&credits, &held(&limiter, "k"));
        assert!(take_credit(&credits, Bucket::LoginAccount, "k"));
        assert!(!take_credit(&credits, Bucket::LoginAccount, "k"));
        // Another key, another bucket: no credit.
        give_back(&credits, &held(&limiter, "k"));
        assert!(!take_credit(&credits, Bucket::LoginAccount, "other"));
        assert!(!take_credit(&credits, Bucket::LoginIp, "k"));
    }

    #[test]
    fn credits_never_exceed_the_burst() {
        let credits = new_credits();
        let limiter = Arc::new(RateLimiter::with_policies(&[(
            Bucket::LoginAccount,
            Policy {
                per_minute: 1,
                burst: 2,
            },
        )]));
        for _ in 0..10 {
            give_back(&credits, &held(&limiter, "k"));
        }
        assert!(take_credit(&credits, Bucket::LoginAccount, "k"));
        assert!(take_credit(&credits, Bucket::LoginAccount, "k"));
        assert!(!take_credit(&credits, Bucket::LoginAccount, "k"));
    }

    #[test]
    fn a_stale_credit_is_not_taken() {
        let credits = new_credits();
        credits.insert(
            credit_key(Bucket::LoginAccount, "k"),
            (1, Instant::now() - Duration::from_millis(1)),
        );
        assert!(!take_credit(&credits, Bucket::LoginAccount, "k"));
    }
}
