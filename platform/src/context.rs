//! Who a request comes from and who acts: the facts every layer passes down (the audit log,
//! domain events, throttling), kept apart from the modules that use them so none has to depend
//! on another for them.

use std::sync::Arc;

use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::{
    error::Result,
    settings::TenantSettings,
    store::{TenantScope, TenantTx},
    tenants::Tenant,
};

/// Who or what a request came from, as far as the audit log and throttling are concerned.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Who acted.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    /// An end user of the tenant.
    User(Uuid),
    /// A platform operator (support staff).
    Operator(Uuid),
    /// A request by someone not (yet) authenticated.
    Anonymous,
    /// The platform itself.
    System,
}

impl Actor {
    /// The actor's kind (`user`, `operator`, `anonymous`, `system`) and id, as stored.
    pub fn parts(self) -> (&'static str, Option<String>) {
        match self {
            Actor::User(id) => ("user", Some(id.to_string())),
            Actor::Operator(id) => ("operator", Some(id.to_string())),
            Actor::Anonymous => ("anonymous", None),
            Actor::System => ("system", None),
        }
    }
}

/// One operation's context, built once per request (by the HTTP layer, or by a command): the
/// tenant it acts in, who acts, where the request came from, why (an operator's reason) and the
/// tenant's settings, read at most once. Domain functions take it, or an
/// [`crate::authz::Granted`] proof that wraps it, instead of reaching into the application
/// state; only tenant resolution can build the scope inside.
///
/// Cheap to clone and to move: one shared allocation (it travels with every authenticated
/// request and into every proof).
#[derive(Clone, Debug)]
pub struct OpContext(Arc<Inner>);

#[derive(Clone, Debug)]
struct Inner {
    scope: TenantScope,
    tenant: Arc<Tenant>,
    actor: Actor,
    meta: RequestMeta,
    reason: Option<String>,
    settings: OnceCell<Arc<TenantSettings>>,
}

impl OpContext {
    /// The context of `actor` acting in the resolved tenant `scope`.
    pub fn new(scope: TenantScope, tenant: Arc<Tenant>, actor: Actor, meta: RequestMeta) -> Self {
        Self(Arc::new(Inner {
            scope,
            tenant,
            actor,
            meta,
            reason: None,
            settings: OnceCell::new(),
        }))
    }

    /// The same operation, done by `actor` (once a request has proven who it comes from).
    #[must_use]
    pub fn acting(mut self, actor: Actor) -> Self {
        Arc::make_mut(&mut self.0).actor = actor;
        self
    }

    /// The same operation, with the reason its actor gave (recorded in the audit log).
    #[must_use]
    pub fn because(mut self, reason: Option<String>) -> Self {
        Arc::make_mut(&mut self.0).reason = reason;
        self
    }

    /// The tenant acted in.
    pub fn scope(&self) -> &TenantScope {
        &self.0.scope
    }

    /// The tenant, as resolved for this request.
    pub fn tenant(&self) -> &Arc<Tenant> {
        &self.0.tenant
    }

    /// Who acts.
    pub fn actor(&self) -> Actor {
        self.0.actor
    }

    /// Where the request came from.
    pub fn meta(&self) -> &RequestMeta {
        &self.0.meta
    }

    /// Why, when the actor said (operators must).
    pub fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// The tenant's settings: read once per operation (in their own read transaction), then the
    /// same snapshot for the rest of it.
    pub async fn settings(&self) -> Result<Arc<TenantSettings>> {
        self.0
            .settings
            .get_or_try_init(|| async {
                let tx = self.0.scope.read().await?;
                let s = TenantSettings::load(&tx).await?;
                tx.commit().await?;
                Ok(Arc::new(s))
            })
            .await
            .cloned()
    }

    /// The tenant's settings, read inside `tx` when this operation has not read them yet (so
    /// they are consistent with what `tx` sees), then the same snapshot for the rest of it.
    pub async fn settings_in(&self, tx: &TenantTx) -> Result<Arc<TenantSettings>> {
        self.0
            .settings
            .get_or_try_init(|| async { Ok(Arc::new(TenantSettings::load(tx).await?)) })
            .await
            .cloned()
    }
}
