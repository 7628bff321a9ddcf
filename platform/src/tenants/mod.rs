//! Tenant lifecycle: provision, look up (cached), suspend, resume and delete tenants.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use moka::future::Cache;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, SqlErr,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::TenantSlug,
    error::{Error, ErrorCode, Result},
    store::{Change, Store, TenantScope, entities::tenant},
};

/// A tenant's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    /// Its schema or file is being created (a crash here is finished by `platform migrate`).
    Provisioning,
    Active,
    /// Every tenant path answers 403 `tenant_suspended`.
    Suspended,
    /// Being removed; invisible to requests.
    Deleting,
}

impl TenantStatus {
    /// The stored (and shown) name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleting => "deleting",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "suspended" => Self::Suspended,
            "provisioning" => Self::Provisioning,
            _ => Self::Deleting,
        }
    }
}

/// A tenant as the control plane records it.
#[derive(Clone, Debug, Serialize)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
}

impl From<tenant::Model> for Tenant {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
            status: TenantStatus::parse(&m.status),
            created_at: m.created_at,
        }
    }
}

/// How long a cached lookup may be stale when another process (the CLI) changed the tenant.
const LOOKUP_TTL: Duration = Duration::from_secs(5);

/// The tenant registry with a lookup cache; cheap to clone.
#[derive(Clone, Debug)]
pub struct Tenants {
    store: Store,
    lookups: Cache<String, Option<Arc<Tenant>>>,
}

impl Tenants {
    /// A registry over `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            lookups: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(LOOKUP_TTL)
                .build(),
        }
    }

    /// The scope through which this tenant's data is reached.
    pub fn scope(&self, tenant: &Tenant) -> TenantScope {
        TenantScope::resolved(self.store.clone(), tenant.id, &tenant.slug)
    }

    /// Provisions a tenant: registers it, creates its schema or file and migrates it.
    pub async fn create(&self, slug: &TenantSlug, name: Option<&str>) -> Result<Tenant> {
        let name = name.map(str::trim).unwrap_or(slug.as_str()).to_owned();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "name",
                "a name is 1 to 200 characters, no control characters",
            ));
        }
        let now = Utc::now();
        let id = Uuid::now_v7();
        let row = tenant::ActiveModel {
            id: Set(id),
            slug: Set(slug.as_str().to_owned()),
            name: Set(name),
            status: Set(TenantStatus::Provisioning.as_str().into()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        if let Err(e) = tenant::Entity::insert(row).exec(self.store.control()).await {
            if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                return Err(Error::Conflict {
                    code: ErrorCode::TenantExists,
                    message: format!(
                        "a tenant with slug {slug:?} already exists",
                        slug = slug.as_str()
                    ),
                });
            }
            return Err(e.into());
        }
        if let Err(e) = self.store.migrate_tenant(id).await {
            // Leave nothing half-made behind: drop what was created, then the registry row.
            let _ = self.store.drop_tenant_data(id).await;
            let _ = tenant::Entity::delete_by_id(id)
                .exec(self.store.control())
                .await;
            return Err(Error::Internal(
                e.context("provisioning the tenant's storage"),
            ));
        }
        let model = self.set_status_by_id(id, TenantStatus::Active).await?;
        Ok(model)
    }

    /// Every tenant that is not being deleted (those mid-provisioning included), oldest first.
    pub async fn list(&self) -> Result<Vec<Tenant>> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::Status.ne(TenantStatus::Deleting.as_str()))
            .order_by_asc(tenant::Column::CreatedAt)
            .all(self.store.control())
            .await?
            .into_iter()
            .map(Tenant::from)
            .collect())
    }

    /// How many tenants exist (not counting those being deleted).
    pub async fn count(&self) -> Result<u64> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::Status.ne(TenantStatus::Deleting.as_str()))
            .count(self.store.control())
            .await?)
    }

    /// Looks a tenant up by slug or id, through the cache. Unknown keys are cached too, briefly.
    pub async fn find(&self, key: &str) -> Result<Option<Arc<Tenant>>> {
        let by_id = Uuid::parse_str(key).ok();
        if by_id.is_none() && TenantSlug::parse(key).is_err() {
            return Ok(None);
        }
        let store = self.store.clone();
        let key_owned = key.to_owned();
        self.lookups
            .try_get_with(key.to_owned(), async move {
                let query = match by_id {
                    Some(id) => tenant::Entity::find_by_id(id),
                    None => tenant::Entity::find().filter(tenant::Column::Slug.eq(key_owned)),
                };
                let found = query.one(store.control()).await?;
                Ok::<_, sea_orm::DbErr>(found.map(|m| Arc::new(Tenant::from(m))))
            })
            .await
            .map_err(|e: Arc<sea_orm::DbErr>| {
                if crate::error::storage_unavailable(&e) {
                    Error::Unavailable(anyhow::anyhow!("{e}"))
                } else {
                    Error::from(sea_orm::DbErr::Custom(e.to_string()))
                }
            })
    }

    /// Looks a tenant up by slug or id, failing when it does not exist.
    pub async fn get(&self, key: &str) -> Result<Arc<Tenant>> {
        match self.find(key).await? {
            Some(t) if t.status != TenantStatus::Deleting => Ok(t),
            _ => Err(Error::TenantNotFound),
        }
    }

    /// Resolves the tenant of a request: it must exist, be provisioned and not be suspended.
    pub async fn resolve(&self, key: &str) -> Result<TenantScope> {
        Ok(self.resolve_tenant(key).await?.0)
    }

    /// [`Self::resolve`], with the tenant itself.
    pub async fn resolve_tenant(&self, key: &str) -> Result<(TenantScope, Arc<Tenant>)> {
        let tenant = self.get(key).await?;
        match tenant.status {
            TenantStatus::Active => Ok((self.scope(&tenant), tenant)),
            TenantStatus::Suspended => Err(Error::TenantSuspended),
            TenantStatus::Provisioning | TenantStatus::Deleting => Err(Error::TenantNotFound),
        }
    }

    /// Suspends a tenant: its paths answer 403 until it is resumed.
    pub async fn suspend(&self, key: &str) -> Result<Tenant> {
        let t = self.get(key).await?;
        self.set_status_by_id(t.id, TenantStatus::Suspended).await
    }

    /// Resumes a suspended tenant.
    pub async fn resume(&self, key: &str) -> Result<Tenant> {
        let t = self.get(key).await?;
        self.set_status_by_id(t.id, TenantStatus::Active).await
    }

    /// Renames a tenant (its display name; the slug and id never change).
    pub async fn rename(&self, key: &str, name: &str) -> Result<Tenant> {
        let name = check_name(name)?;
        let t = self.get(key).await?;
        let row = tenant::ActiveModel {
            id: Set(t.id),
            name: Set(name.to_owned()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let tx = self.store.begin_control().await?;
        let model: Tenant = row.update(&*tx).await?.into();
        tx.invalidate(change_of(&model));
        tx.commit().await?;
        Ok(model)
    }

    /// Marks a tenant whose provisioning was finished by `platform migrate` as active.
    pub async fn mark_provisioned(&self, id: Uuid) -> Result<Tenant> {
        self.set_status_by_id(id, TenantStatus::Active).await
    }

    /// Deletes a tenant and all its data. Safe to repeat after a crash part-way.
    pub async fn delete(&self, key: &str) -> Result<()> {
        let found = self.find(key).await?.ok_or(Error::TenantNotFound)?;
        self.set_status_by_id(found.id, TenantStatus::Deleting)
            .await?;
        self.store
            .drop_tenant_data(found.id)
            .await
            .map_err(|e| Error::Internal(e.context("removing the tenant's data")))?;
        let tx = self.store.begin_control().await?;
        tenant::Entity::delete_by_id(found.id).exec(&*tx).await?;
        tx.invalidate(change_of(&found));
        tx.commit().await
    }

    async fn set_status_by_id(&self, id: Uuid, status: TenantStatus) -> Result<Tenant> {
        let row = tenant::ActiveModel {
            id: Set(id),
            status: Set(status.as_str().into()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let tx = self.store.begin_control().await?;
        let model: Tenant = row.update(&*tx).await?.into();
        tx.invalidate(change_of(&model));
        tx.commit().await?;
        Ok(model)
    }

    /// Drops the cached lookups of tenant `id` / `slug` in this process only.
    pub async fn forget_local(&self, id: Uuid, slug: &str) {
        for k in [slug.to_owned(), id.to_string(), id.simple().to_string()] {
            self.lookups.invalidate(&k).await;
        }
    }

    /// Drops every cached lookup in this process.
    pub fn forget_all_local(&self) {
        self.lookups.invalidate_all();
    }
}

/// What changing `t`'s registry row makes stale: its lookups by slug and by id.
fn change_of(t: &Tenant) -> Change {
    Change::Tenant {
        id: t.id,
        slug: t.slug.clone(),
    }
}
/// A tenant's display name, trimmed: 1 to 200 characters without control characters.
pub fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "a tenant name is 1 to 200 characters without control characters",
        ));
    }
    Ok(name)
}
