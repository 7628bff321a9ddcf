//! An account's stored lockout, shared by every instance: consecutive failed password,
//! emailed-code or second-factor checks are counted in the user's row, and from
//! [`LOCK_AFTER_FAILURES`] on each further check locks the account for 1, 2, 4 … minutes (at
//! most an hour).
//!
//! A failure is reserved in the database *before* the check runs (a conditional increment that
//! a locked account refuses), so requests racing at one account, on any instance, get no more
//! checks than the count allows; the reservation that reaches the limit sets the lock before
//! its own check. A check that succeeds clears the count under the row's lock, unless another
//! check locked the account meanwhile.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    error::Result,
    store::{TenantScope, TenantTx, entities::user},
};

/// Consecutive failures before the account is locked for a while.
pub const LOCK_AFTER_FAILURES: i32 = 10;
/// The longest lock.
pub const MAX_LOCK_MINUTES: i64 = 60;

/// How long the `failures`-th consecutive failure locks the account: nothing below the limit,
/// then 1, 2, 4 … minutes, at most [`MAX_LOCK_MINUTES`].
pub fn lock_length(failures: i32) -> Option<Duration> {
    if failures < LOCK_AFTER_FAILURES {
        return None;
    }
    let step = (failures - LOCK_AFTER_FAILURES).clamp(0, 6);
    Some(Duration::minutes(Ord::min(1i64 << step, MAX_LOCK_MINUTES)))
}

/// A failure reserved for one check of `user_id`.
#[derive(Clone, Copy, Debug)]
pub struct Reserved {
    pub user_id: Uuid,
    /// The count including this reservation.
    pub failures: i32,
    /// When this reservation locked the account, until when.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Reserves one failure of `user_id` inside `tx`; `None` when the account is locked (the check
/// must not run). The reservation is visible to other checks once `tx` commits; until then the
/// row's lock (PostgreSQL) or the write lock (SQLite) holds them back.
pub async fn reserve_in(tx: &TenantTx, user_id: Uuid) -> Result<Option<Reserved>> {
    let now = Utc::now();
    let counted = user::Entity::update_many()
        .col_expr(
            user::Column::FailedLogins,
            Expr::col(user::Column::FailedLogins).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(
            Condition::any()
                .add(user::Column::LockedUntil.is_null())
                .add(user::Column::LockedUntil.lte(now)),
        )
        .exec(&**tx)
        .await?
        .rows_affected;
    if counted != 1 {
        return Ok(None);
    }
    let failures = user::Entity::find_by_id(user_id)
        .one(&**tx)
        .await?
        .map_or(1, |u| u.failed_logins);
    let locked_until = lock_length(failures).map(|d| now + d);
    if let Some(until) = locked_until {
        user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(Some(until)))
            .filter(user::Column::Id.eq(user_id))
            .exec(&**tx)
            .await?;
    }
    Ok(Some(Reserved {
        user_id,
        failures,
        locked_until,
    }))
}

/// [`reserve_in`] in a transaction of its own, committed before the (slow) check.
pub async fn reserve(scope: &TenantScope, user_id: Uuid) -> Result<Option<Reserved>> {
    let tx = scope.begin().await?;
    let r = reserve_in(&tx, user_id).await?;
    tx.commit().await?;
    Ok(r)
}

/// The reserved check succeeded: clears the count and the lock inside `tx`. `false` when
/// another check locked the account after this one was reserved: then the success does not
/// count and no tokens may be issued.
pub async fn clear(tx: &TenantTx, r: &Reserved) -> Result<bool> {
    let now = Utc::now();
    let cleared = user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(r.user_id))
        .filter(
            Condition::any()
                .add(user::Column::LockedUntil.is_null())
                .add(user::Column::LockedUntil.lte(now))
                // The lock is this check's own: no check was reserved after it.
                .add(user::Column::FailedLogins.eq(r.failures)),
        )
        .exec(&**tx)
        .await?
        .rows_affected;
    Ok(cleared == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_from_the_limit_and_stop_at_an_hour() {
        assert_eq!(lock_length(0), None);
        assert_eq!(lock_length(LOCK_AFTER_FAILURES - 1), None);
        let minutes: Vec<i64> = (0..9)
            .map(|i| {
                lock_length(LOCK_AFTER_FAILURES + i)
                    .expect("locked")
                    .num_minutes()
            })
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
