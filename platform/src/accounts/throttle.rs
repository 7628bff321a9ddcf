//! Throttling of the public auth flows, on top of governor's keyed limiters.
//!
//! Requests that cost little or reveal nothing are limited per attempt (`every_attempt`).
//! Password and code checks are limited per *failure* (`failed`): successes never count, and
//! once a key runs out of failures it is refused until the limiter's wait is over, whether the
//! account exists or not.

use std::sync::Arc;

use crate::{
    app::AppState,
    error::{Error, Result},
    ratelimit::{Bucket, RateLimiter},
    settings::TenantSettings,
    store::TenantScope,
};

/// The limiter for a tenant: the shared one, or the tenant's own when its settings override
/// a policy. Settings are re-read at most once a minute; a limiter is replaced (and its counts
/// reset) only when the tenant's overrides change.
async fn limiter(state: &AppState, scope: &TenantScope) -> Arc<RateLimiter> {
    let tenant_id = scope.tenant_id();
    let current = state.tenant_limiters.get(&tenant_id).await;
    if let Some((_, l)) = &current
        && state.limits_checked.contains_key(&tenant_id)
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
    state.limits_checked.insert(tenant_id, ()).await;
    let limiter = match current {
        Some((old, l)) if old == overrides => l,
        _ if overrides.is_empty() => state.limiter.clone(),
        _ => Arc::new(RateLimiter::with_policies(&overrides)),
    };
    state
        .tenant_limiters
        .insert(tenant_id, (overrides, limiter.clone()))
        .await;
    limiter
}

/// Trims every limiter's idle keys (the server calls this every minute).
pub fn housekeeping(state: &AppState) {
    state.limiter.housekeeping();
    for (_, (_, l)) in state.tenant_limiters.iter() {
        l.housekeeping();
    }
}

/// Counts one attempt against `bucket` for `key`; refuses when over the limit.
pub async fn every_attempt(
    state: &AppState,
    scope: &TenantScope,
    bucket: Bucket,
    key: &str,
) -> Result<()> {
    limiter(state, scope)
        .await
        .check(bucket, key)
        .map_err(|retry| Error::RateLimited {
            retry_after_secs: retry.secs(),
        })
}

/// Counts one attempt like [`every_attempt`], but only says whether it went over the limit:
/// for flows whose answer must not change (a 429 would reveal that an account exists).
pub async fn over_quietly(
    state: &AppState,
    scope: &TenantScope,
    bucket: Bucket,
    key: &str,
) -> bool {
    every_attempt(state, scope, bucket, key).await.is_err()
}

fn block_key(bucket: Bucket, key: &str) -> String {
    format!("{bucket:?}:{key}")
}

/// Refuses when `key` used up its failures in `bucket` recently.
pub async fn refuse_if_blocked(state: &AppState, bucket: Bucket, key: &str) -> Result<()> {
    if let Some(until) = state.blocks.get(&block_key(bucket, key)).await {
        let left = until - chrono::Utc::now().timestamp();
        if left > 0 {
            return Err(Error::RateLimited {
                retry_after_secs: u64::try_from(left).unwrap_or(1),
            });
        }
    }
    Ok(())
}

/// Records a failure of `key` in `bucket` under the tenant's policies; past the limit, the key
/// is blocked for the wait.
pub async fn failed(state: &AppState, scope: &TenantScope, bucket: Bucket, key: &str) {
    block_if_over(state, &*limiter(state, scope).await, bucket, key).await;
}

/// [`failed`] for keys outside any tenant (operator sign-in), under the default policies.
pub async fn failed_platform(state: &AppState, bucket: Bucket, key: &str) {
    block_if_over(state, &state.limiter, bucket, key).await;
}

async fn block_if_over(state: &AppState, limiter: &RateLimiter, bucket: Bucket, key: &str) {
    if let Err(retry) = limiter.check(bucket, key) {
        let until = chrono::Utc::now().timestamp() + i64::try_from(retry.secs()).unwrap_or(60);
        state.blocks.insert(block_key(bucket, key), until).await;
    }
}
