//! Finding a customer across every tenant by email: an exact address looks in each tenant's
//! unique email index; other text matches a part of the address. Tenants are searched a few at
//! a time, and the answer is bounded.

use futures::{StreamExt, stream};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::ExprTrait};

use crate::{
    app::AppState,
    domain::EmailAddress,
    error::{Error, Result},
    store::entities::user,
    tenants::{Tenant, TenantStatus},
};

/// Most matches returned.
pub const MAX_RESULTS: usize = 50;
/// Tenants searched at once.
const CONCURRENCY: usize = 8;

/// One match: the member and their tenant.
#[derive(Debug)]
pub struct Found {
    pub tenant: Tenant,
    pub user: user::Model,
}

/// Members whose email is `q` (an address) or contains `q` (3 to 254 characters).
pub async fn customers(state: &AppState, q: &str) -> Result<Vec<Found>> {
    let q = q.trim().to_lowercase();
    if q.chars().count() < 3 || q.len() > 254 {
        return Err(Error::invalid(
            "email",
            "search with 3 to 254 characters of an email address",
        ));
    }
    let exact = EmailAddress::parse(&q).ok();
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let tenants: Vec<Tenant> = state
        .tenants
        .list()
        .await?
        .into_iter()
        .filter(|t| matches!(t.status, TenantStatus::Active | TenantStatus::Suspended))
        .collect();
    let results = stream::iter(tenants)
        .map(|t| {
            let exact = exact.clone();
            let pattern = pattern.clone();
            async move {
                let scope = state.tenants.scope(&t);
                let tx = scope.read().await?;
                let q = match &exact {
                    Some(e) => user::Entity::find().filter(user::Column::Email.eq(e.as_str())),
                    None => user::Entity::find().filter(
                        sea_orm::sea_query::Expr::col(user::Column::Email)
                            .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
                    ),
                };
                let rows = q
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
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut found = Vec::new();
    for r in results {
        found.extend(r?);
    }
    found.sort_by(|a, b| (&a.user.email, &a.tenant.slug).cmp(&(&b.user.email, &b.tenant.slug)));
    found.truncate(MAX_RESULTS);
    Ok(found)
}
