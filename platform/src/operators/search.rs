//! Finding a customer across every tenant by email: an exact address looks in each tenant's
//! unique email index; other text is the start of an address, found through an index too
//! (`text_pattern_ops` on PostgreSQL, the unique index with `GLOB` on SQLite).
//!
//! A search touches every tenant, so it is bounded: one search in flight per operator and a
//! few on the whole platform, a few tenants at a time (never more than a quarter of the
//! PostgreSQL pool), a per-tenant statement timeout, and a time budget after which the
//! matches found so far are answered as incomplete.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::{StreamExt, stream};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::ExprTrait,
};
use uuid::Uuid;

use crate::{
    config::Backend,
    domain::EmailAddress,
    error::{Error, ErrorCode, Result},
    store::entities::user,
    tenants::{Tenant, TenantStatus, Tenants},
};

/// Most matches returned.
pub const MAX_RESULTS: usize = 50;
/// Tenants searched at once (at most).
const CONCURRENCY: usize = 4;
/// Searches running at once on the whole platform.
const PLATFORM_SEARCHES: usize = 2;
/// How long one search may take before it answers with what it found.
pub const BUDGET: Duration = Duration::from_secs(10);
/// How long one tenant's query may take (PostgreSQL's `statement_timeout`).
const TENANT_QUERY_TIMEOUT_MS: u32 = 2_000;

/// One match: the member and their tenant.
#[derive(Debug)]
pub struct Found {
    pub tenant: Tenant,
    pub user: user::Model,
}

/// What a search found, and whether it looked everywhere within its budget.
#[derive(Debug)]
pub struct Outcome {
    pub found: Vec<Found>,
    pub complete: bool,
}

/// The searches running now: by operator, and on the whole platform.
#[derive(Debug)]
struct Slots {
    running: Mutex<HashSet<Uuid>>,
    slots: tokio::sync::Semaphore,
}

impl Default for Slots {
    fn default() -> Self {
        Self {
            running: Mutex::new(HashSet::new()),
            slots: tokio::sync::Semaphore::new(PLATFORM_SEARCHES),
        }
    }
}

/// Customer searches over every tenant, with the searches running now.
#[derive(Debug)]
pub struct Searches {
    slots: Slots,
    tenants: Tenants,
    /// Whether the tenants live in PostgreSQL (searched with `LIKE` and a statement timeout).
    postgres: bool,
    /// How many tenants one search reads at once.
    concurrency: usize,
}

/// An operator's search in flight; ends when dropped.
struct Running<'a> {
    searches: &'a Slots,
    operator: Uuid,
    _slot: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut r) = self.searches.running.lock() {
            r.remove(&self.operator);
        }
    }
}

impl Slots {
    fn start(&self, operator: Uuid) -> Result<Running<'_>> {
        let Ok(slot) = self.slots.try_acquire() else {
            return Err(Error::Busy);
        };
        let mut running = self
            .running
            .lock()
            .map_err(|_| Error::Internal(anyhow::anyhow!("search registry poisoned")))?;
        if !running.insert(operator) {
            return Err(Error::Conflict {
                code: ErrorCode::SearchInProgress,
                message: "your previous search is still running; wait for it".into(),
            });
        }
        Ok(Running {
            searches: self,
            operator,
            _slot: slot,
        })
    }
}

/// A GLOB pattern matching strings that start with `prefix` (its `*`, `?` and `[` taken
/// literally).
fn glob_prefix(prefix: &str) -> String {
    let mut p = String::new();
    for c in prefix.chars() {
        match c {
            '*' | '?' | '[' => {
                p.push('[');
                p.push(c);
                p.push(']');
            }
            c => p.push(c),
        }
    }
    p.push('*');
    p
}

/// A LIKE pattern matching strings that start with `prefix` (escape character `\`).
fn like_prefix(prefix: &str) -> String {
    let mut p = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    p.push('%');
    p
}

/// Members whose email is `q` (an address) or starts with `q` (3 to 254 characters), for
/// `operator`. `409 search_in_progress` while the operator's previous search runs, `503` when
/// the platform runs as many searches as it allows.
pub async fn customers(searches: &Searches, operator: Uuid, q: &str) -> Result<Outcome> {
    let q = q.trim().to_lowercase();
    if q.chars().count() < 3 || q.len() > 254 {
        return Err(Error::invalid(
            "email",
            "search with an email address or its first 3 to 254 characters",
        ));
    }
    // Pattern characters would make the search scan every table instead of an index.
    if q.contains(['*', '?', '[', '%', '_', '\\']) {
        return Err(Error::invalid(
            "email",
            "search text may not hold *, ?, [, %, _ or \\",
        ));
    }
    let _running = searches.slots.start(operator)?;
    let exact = EmailAddress::parse(&q).ok();
    let tenants: Vec<Tenant> = searches
        .tenants
        .list()
        .await?
        .into_iter()
        .filter(|t| matches!(t.status, TenantStatus::Active | TenantStatus::Suspended))
        .collect();
    let (postgres, concurrency) = (searches.postgres, searches.concurrency);
    let mut results = stream::iter(tenants)
        .map(|t| {
            let (exact, q) = (exact.clone(), q.clone());
            async move {
                let scope = searches.tenants.scope(&t);
                let tx = scope.read().await?;
                if postgres {
                    tx.execute_unprepared(&format!(
                        "SET LOCAL statement_timeout = {TENANT_QUERY_TIMEOUT_MS}"
                    ))
                    .await?;
                }
                let find = match &exact {
                    Some(e) => user::Entity::find().filter(user::Column::Email.eq(e.as_str())),
                    None if postgres => user::Entity::find().filter(
                        sea_orm::sea_query::Expr::col(user::Column::Email)
                            .like(sea_orm::sea_query::LikeExpr::new(like_prefix(&q)).escape('\\')),
                    ),
                    None => {
                        user::Entity::find().filter(sea_orm::sea_query::Expr::cust_with_values(
                            "email GLOB ?",
                            [glob_prefix(&q)],
                        ))
                    }
                };
                let rows = find
                    .limit(u64::try_from(MAX_RESULTS).unwrap_or(50))
                    .all(&*tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, Error>(
                    rows.into_iter()
                        .map(|user| Found {
                            tenant: t.clone(),
                            user,
                        })
                        .collect::<Vec<_>>(),
                )
            }
        })
        .buffer_unordered(concurrency);
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + BUDGET;
    let complete = loop {
        match tokio::time::timeout_at(deadline, results.next()).await {
            Ok(Some(r)) => found.extend(r?),
            Ok(None) => break true,
            Err(_) => break false,
        }
    };
    drop(results);
    found.sort_by(|a, b| (&a.user.email, &a.tenant.slug).cmp(&(&b.user.email, &b.tenant.slug)));
    found.truncate(MAX_RESULTS);
    Ok(Outcome { found, complete })
}

/// The searches registry for [`crate::app::AppState`].
/// The registry of searches over `tenants`: on PostgreSQL one search holds at most a quarter of
/// the `pg_max_connections` pool.
pub fn registry(tenants: Tenants, backend: Backend, pg_max_connections: u32) -> Arc<Searches> {
    let postgres = backend == Backend::Postgres;
    let concurrency = if postgres {
        CONCURRENCY.min(usize::try_from(pg_max_connections / 4).unwrap_or(1).max(1))
    } else {
        CONCURRENCY
    };
    Arc::new(Searches {
        slots: Slots::default(),
        tenants,
        postgres,
        concurrency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_take_metacharacters_literally() {
        assert_eq!(glob_prefix("ann@x"), "ann@x*");
        assert_eq!(glob_prefix("a*b?c[d"), "a[*]b[?]c[[]d*");
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
    }

    #[test]
    fn one_search_per_operator_and_a_few_in_all() {
        let s = Slots::default();
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let first = s.start(a).expect("first");
        assert!(matches!(s.start(a), Err(Error::Conflict { .. })));
        let second = s.start(b).expect("another operator");
        assert!(
            matches!(s.start(c), Err(Error::Busy)),
            "the platform's slots are full"
        );
        drop(first);
        let again = s.start(a).expect("after the first ended");
        drop((second, again));
        s.start(c).expect("free again");
    }
}
