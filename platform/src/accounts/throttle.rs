//! Throttling of the public auth flows, on top of governor's keyed limiters.
//!
//! Requests that cost little or reveal nothing are limited per attempt (`every_attempt`).
//! Password and code checks are limited per *failure* (`failed`): successes never count, and
//! once a key runs out of failures it is refused until the limiter's wait is over, whether the
//! account exists or not.

use crate::{
    app::AppState,
    error::{Error, Result},
    ratelimit::Bucket,
};

/// Counts one attempt against `bucket` for `key`; refuses when over the limit.
pub fn every_attempt(state: &AppState, bucket: Bucket, key: &str) -> Result<()> {
    state
        .limiter
        .check(bucket, key)
        .map_err(|retry| Error::RateLimited {
            retry_after_secs: retry.secs(),
        })
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

/// Records a failure of `key` in `bucket`; past the limit, the key is blocked for the wait.
pub async fn failed(state: &AppState, bucket: Bucket, key: &str) {
    if let Err(retry) = state.limiter.check(bucket, key) {
        let until = chrono::Utc::now().timestamp() + i64::try_from(retry.secs()).unwrap_or(60);
        state.blocks.insert(block_key(bucket, key), until).await;
    }
}
