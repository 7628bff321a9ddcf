//! Tenant lifecycle by operators: create (optionally inviting the first owner), rename,
//! suspend, resume and delete, each recorded in the operators' log (and, while the tenant
//! exists, in its own log).

use super::audit::{self, Entry};
use crate::authz::OperatorCaller;
use crate::{
    audit::{Actor, Event, RequestMeta},
    domain::{EmailAddress, TenantSlug},
    error::Error,
    error::Result,
    mail::Mailer,
    members::invitation_mail as invitations,
    store::Store,
    tenants::Tenant,
    tenants::Tenants,
    tokens::Keys,
};

/// What the tenant lifecycle uses: the tenants, their signing keys, the mailer (for the first
/// owner's invitation) and the control plane (for the operators' log). Cheap to clone.
#[derive(Clone)]
pub struct Lifecycle {
    tenants: Tenants,
    keys: Keys,
    mailer: Mailer,
    store: Store,
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle").finish_non_exhaustive()
    }
}

impl Lifecycle {
    /// The lifecycle of `tenants`, keyed by `keys`, mailing through `mailer`, logged in `store`.
    pub fn new(tenants: Tenants, keys: Keys, mailer: Mailer, store: Store) -> Self {
        Self {
            tenants,
            keys,
            mailer,
            store,
        }
    }

    /// Provisions a tenant: its schema or file, its migrations and its first signing key
    /// (nothing is left behind when a step fails).
    pub async fn provision(&self, slug: &TenantSlug, name: Option<&str>) -> Result<Tenant> {
        let tenant = self.tenants.create(slug, name).await?;
        let keys = async {
            let tx = self.tenants.scope(&tenant).begin().await?;
            self.keys.ensure(&tx).await?;
            tx.commit().await
        };
        if let Err(e) = keys.await {
            let _ = self.tenants.delete(&tenant.slug).await;
            return Err(match e {
                Error::Internal(inner) => {
                    Error::Internal(inner.context("creating the signing key"))
                }
                other => other,
            });
        }
        Ok(tenant)
    }
}

/// Provisions `slug`; with `owner_email`, invites that address to own it (all or nothing).
pub async fn create(
    life: &Lifecycle,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    slug: &str,
    name: Option<&str>,
    owner_email: Option<&str>,
    reason: Option<&str>,
) -> Result<Tenant> {
    let slug = TenantSlug::parse(slug)?;
    let owner = owner_email.map(EmailAddress::parse).transpose()?;
    let name = name.map(crate::tenants::check_name).transpose()?;
    let tenant = life.provision(&slug, name).await?;
    let invite = async {
        let scope = life.tenants.scope(&tenant);
        let mut tx = scope.begin().await?;
        if let Some(owner) = &owner {
            let inv = invitations::invite(
                &mut tx,
                &life.mailer,
                &tenant,
                owner,
                &crate::roles::Role::Owner,
                None,
            )
            .await?;
            crate::audit::record(
                &tx,
                meta,
                Event::ok(Actor::Operator(caller.id), "invitation.created")
                    .target("invitation", inv.id)
                    .reason(reason)
                    .details(serde_json::json!({ "email": inv.email, "role": inv.role })),
            )
            .await?;
        }
        // The operators' log gets the same entry once this commits.
        crate::audit::record(
            &tx,
            meta,
            Event::ok(Actor::Operator(caller.id), "tenant.created")
                .target("tenant", tenant.id)
                .reason(reason)
                .details(serde_json::json!({
                    "slug": tenant.slug,
                    "owner_invited": owner.as_ref().map(EmailAddress::as_str),
                })),
        )
        .await?;
        tx.commit().await
    };
    if let Err(e) = invite.await {
        let _ = life.tenants.delete(&tenant.slug).await;
        return Err(e);
    }
    Ok(tenant)
}

/// A status an operator sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WantedStatus {
    /// Resume a suspended tenant.
    Active,
    /// Suspend: every path of the tenant answers `403 tenant_suspended`.
    Suspended,
}

/// What an operator changes of a tenant, checked before anything changes.
#[derive(Debug, Default)]
pub struct TenantChange<'a> {
    name: Option<&'a str>,
    status: Option<WantedStatus>,
}

impl<'a> TenantChange<'a> {
    /// A new name (1 to 200 characters) and/or a status (`active` or `suspended`).
    pub fn parse(name: Option<&'a str>, status: Option<&str>) -> Result<Self> {
        let name = name.map(crate::tenants::check_name).transpose()?;
        let status = match status {
            None => None,
            Some("active") => Some(WantedStatus::Active),
            Some("suspended") => Some(WantedStatus::Suspended),
            Some(_) => {
                return Err(crate::error::Error::invalid(
                    "status",
                    "status is active (resume) or suspended",
                ));
            }
        };
        Ok(Self { name, status })
    }
}

/// Renames, suspends or resumes `key`.
pub async fn update(
    life: &Lifecycle,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    key: &str,
    change: &TenantChange<'_>,
    reason: Option<&str>,
) -> Result<Tenant> {
    let mut tenant = (*life.tenants.get(key).await?).clone();
    if let Some(name) = change.name {
        tenant = life.tenants.rename(key, name).await?;
        record(life, caller, meta, &tenant, "tenant.renamed", reason).await?;
    }
    match change.status {
        None => {}
        Some(WantedStatus::Suspended) => {
            tenant = life.tenants.suspend(key).await?;
            record(life, caller, meta, &tenant, "tenant.suspended", reason).await?;
        }
        Some(WantedStatus::Active) => {
            tenant = life.tenants.resume(key).await?;
            record(life, caller, meta, &tenant, "tenant.resumed", reason).await?;
        }
    }
    Ok(tenant)
}

async fn record(
    life: &Lifecycle,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    tenant: &Tenant,
    action: &'static str,
    reason: Option<&str>,
) -> Result<()> {
    let scope = life.tenants.scope(tenant);
    let tx = scope.begin().await?;
    // In the tenant's log, and (once this commits) in the operators' log.
    crate::audit::record(
        &tx,
        meta,
        Event::ok(Actor::Operator(caller.id), action)
            .target("tenant", tenant.id)
            .reason(reason),
    )
    .await?;
    tx.commit().await
}

/// Deletes `key` and all its data; `confirm` must repeat its slug.
pub async fn delete(
    life: &Lifecycle,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    key: &str,
    confirm: &str,
    reason: Option<&str>,
) -> Result<()> {
    let tenant = life.tenants.get(key).await?;
    if confirm != tenant.slug {
        return Err(crate::error::Error::invalid(
            "confirm",
            "confirm must repeat the tenant's slug",
        ));
    }
    life.tenants.delete(&tenant.slug).await?;
    audit::record(
        &life.store,
        meta,
        Entry::new(Some(caller.id), "tenant.deleted")
            .tenant(tenant.id)
            .target("tenant", tenant.id)
            .reason(reason)
            .details(serde_json::json!({ "slug": tenant.slug, "name": tenant.name })),
    )
    .await
}
