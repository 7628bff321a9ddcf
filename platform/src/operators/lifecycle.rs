//! Tenant lifecycle by operators: create (optionally inviting the first owner), rename,
//! suspend, resume and delete, each recorded in the operators' log (and, while the tenant
//! exists, in its own log).

use super::{
    audit::{self, Entry},
    auth::OperatorCaller,
};
use crate::{
    app::AppState,
    audit::{Actor, Event, RequestMeta},
    domain::{EmailAddress, TenantSlug},
    error::Result,
    tenants::{Tenant, invitations},
};

/// Provisions `slug`; with `owner_email`, invites that address to own it (all or nothing).
pub async fn create(
    state: &AppState,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    slug: &str,
    name: Option<&str>,
    owner_email: Option<&str>,
    reason: Option<&str>,
) -> Result<Tenant> {
    let slug = TenantSlug::parse(slug)?;
    let owner = owner_email.map(EmailAddress::parse).transpose()?;
    if let Some(n) = name
        && (n.trim().is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control))
    {
        return Err(crate::error::Error::invalid(
            "name",
            "a tenant name is 1 to 200 characters without control characters",
        ));
    }
    let tenant = state.provision_tenant(&slug, name.map(str::trim)).await?;
    let invite = async {
        let scope = state.tenants.scope(&tenant);
        let mut tx = scope.begin().await?;
        if let Some(owner) = &owner {
            let inv =
                invitations::invite(&mut tx, &state.mailer, &tenant, owner, "owner", None).await?;
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
        let _ = state.tenants.delete(&tenant.slug).await;
        return Err(e);
    }
    Ok(tenant)
}

/// What an operator changes of a tenant.
#[derive(Debug, Default)]
pub struct TenantChange<'a> {
    pub name: Option<&'a str>,
    /// `active` (resume) or `suspended`.
    pub status: Option<&'a str>,
}

/// Renames, suspends or resumes `key`.
pub async fn update(
    state: &AppState,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    key: &str,
    change: &TenantChange<'_>,
    reason: Option<&str>,
) -> Result<Tenant> {
    let mut tenant = (*state.tenants.get(key).await?).clone();
    if let Some(name) = change.name {
        tenant = state.tenants.rename(key, name).await?;
        record(state, caller, meta, &tenant, "tenant.renamed", reason).await?;
    }
    match change.status {
        None => {}
        Some("suspended") => {
            tenant = state.tenants.suspend(key).await?;
            record(state, caller, meta, &tenant, "tenant.suspended", reason).await?;
        }
        Some("active") => {
            tenant = state.tenants.resume(key).await?;
            record(state, caller, meta, &tenant, "tenant.resumed", reason).await?;
        }
        Some(_) => {
            return Err(crate::error::Error::invalid(
                "status",
                "status is active (resume) or suspended",
            ));
        }
    }
    Ok(tenant)
}

async fn record(
    state: &AppState,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    tenant: &Tenant,
    action: &'static str,
    reason: Option<&str>,
) -> Result<()> {
    let scope = state.tenants.scope(tenant);
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
    state: &AppState,
    caller: &OperatorCaller,
    meta: &RequestMeta,
    key: &str,
    confirm: &str,
    reason: Option<&str>,
) -> Result<()> {
    let tenant = state.tenants.get(key).await?;
    if confirm != tenant.slug {
        return Err(crate::error::Error::invalid(
            "confirm",
            "confirm must repeat the tenant's slug",
        ));
    }
    state.tenants.delete(&tenant.slug).await?;
    audit::record(
        state,
        meta,
        Entry::new(Some(caller.id), "tenant.deleted")
            .tenant(tenant.id)
            .target("tenant", tenant.id)
            .reason(reason)
            .details(serde_json::json!({ "slug": tenant.slug, "name": tenant.name })),
    )
    .await
}
