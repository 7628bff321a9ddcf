//! Authorisation of tenant-admin operations, in one place: the caller's *current* role (read
//! through the user cache that every role or status change clears, not the role frozen in the
//! token) resolved against the tenant's built-in and custom roles.

use std::{marker::PhantomData, sync::Arc};

use uuid::Uuid;

use crate::{
    app::AppState,
    error::{Error, ErrorCode, Result},
    operators::{OpPermission, auth::OperatorCaller},
    roles::{self, Permission},
    settings::TenantSettings,
    store::{TenantScope, entities::user},
    users::UserStatus,
};

/// A caller proven to hold a permission, with what the operation may need to know of them.
#[derive(Debug)]
pub struct Authorized {
    pub user: Arc<user::Model>,
    pub settings: TenantSettings,
}

impl Authorized {
    /// Whether the caller is an owner (only owners grant, change or remove ownership).
    pub fn is_owner(&self) -> bool {
        self.user.role == "owner"
    }
}

/// A permission as a type: a domain function that reads a protected resource takes a
/// [`Granted`] proof of exactly the permission it needs, so a handler that forgets the check
/// does not compile.
pub trait Grant {
    /// What a member's role must hold.
    const PERMISSION: Permission;
    /// What an operator's role must hold.
    const OPERATOR: OpPermission;
}

/// Declares a [`Grant`] type per permission.
macro_rules! grants {
    ($($(#[doc = $doc:literal])* $name:ident => $perm:ident, $op:ident;)*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug)]
            pub enum $name {}

            impl Grant for $name {
                const PERMISSION: Permission = Permission::$perm;
                const OPERATOR: OpPermission = OpPermission::$op;
            }
        )*
    };
}

grants! {
    /// Reading members and invitations (`members:read`; operators: `read`).
    MembersRead => MembersRead, Read;
    /// Reading a tenant's sessions (`sessions:read`; operators: `read`).
    SessionsRead => SessionsRead, Read;
    /// Reading the audit log (`audit:read`; operators: `read`).
    AuditRead => AuditRead, Read;
}

/// Proof that the caller may do what `G` allows in one tenant. Only this module makes one:
/// [`grant`] for a member, [`grant_operator`] for an operator. A read without it does not
/// compile:
///
/// ```compile_fail
/// # async fn f(scope: &platform::store::TenantScope) -> platform::error::Result<()> {
/// platform::members::list(scope, &platform::members::Filter::default()).await?;
/// # Ok(())
/// # }
/// ```
///
/// ```compile_fail
/// # fn f(scope: platform::store::TenantScope) {
/// let forged: platform::authz::Granted<platform::authz::MembersRead> =
///     platform::authz::Granted { scope, _grant: std::marker::PhantomData };
/// # }
/// ```
pub struct Granted<G: Grant> {
    scope: TenantScope,
    _grant: PhantomData<fn() -> G>,
}

impl<G: Grant> std::fmt::Debug for Granted<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Granted")
            .field("permission", &G::PERMISSION.as_str())
            .field("tenant", &self.scope.tenant_id())
            .finish()
    }
}

impl<G: Grant> Granted<G> {
    fn new(scope: &TenantScope) -> Self {
        Self {
            scope: scope.clone(),
            _grant: PhantomData,
        }
    }

    /// The tenant the permission holds in.
    pub fn scope(&self) -> &TenantScope {
        &self.scope
    }
}

/// Checks that member `user_id` holds `G`'s permission in `scope` (see [`require`]).
pub async fn grant<G: Grant>(
    state: &AppState,
    scope: &TenantScope,
    user_id: Uuid,
) -> Result<Granted<G>> {
    require(state, scope, user_id, G::PERMISSION).await?;
    Ok(Granted::new(scope))
}

/// Checks that operator `caller` holds `G`'s operator permission, for tenant `scope`.
pub fn grant_operator<G: Grant>(
    caller: &OperatorCaller,
    scope: &TenantScope,
) -> Result<Granted<G>> {
    caller.require(G::OPERATOR)?;
    Ok(Granted::new(scope))
}

/// Who performs a tenant-admin action, as the domain functions need to know them: a member
/// (with their current rights) or a platform operator.
#[derive(Clone, Debug)]
pub struct By {
    /// Who the audit log names.
    pub actor: crate::audit::Actor,
    /// The member acting, if a member is.
    pub member_id: Option<Uuid>,
    /// The acting member's current role (empty for operators).
    pub role: String,
    /// Whether they may grant, change or remove ownership (owners and platform operators).
    pub owner_rights: bool,
    /// The tenant's settings (its custom roles).
    pub settings: TenantSettings,
    /// Why (an operator's free-text reason), recorded with the tenant's audit events.
    pub reason: Option<String>,
}

impl By {
    /// Whether the actor may grant `role`, or act on a member holding it: owners and operators
    /// may always; anyone else only when the role's permissions are all among their own, so no
    /// one can hand out (or take from a more powerful member) more than they hold.
    pub fn may_manage(&self, role: &str) -> bool {
        if self.owner_rights {
            return true;
        }
        if self.member_id.is_none() {
            return false;
        }
        let mine = roles::permissions(&self.role, &self.settings.custom_roles);
        role != "owner"
            && roles::permissions(role, &self.settings.custom_roles)
                .iter()
                .all(|p| mine.contains(p))
    }
}

/// The `403` for a role the actor may not grant or act on.
pub fn beyond_own_rights(role: &str) -> Error {
    Error::Forbidden {
        code: ErrorCode::Forbidden,
        message: format!("the role {role:?} holds permissions you do not have"),
    }
}

impl Authorized {
    /// This member as the actor of a domain action.
    pub fn by(&self) -> By {
        By {
            actor: crate::audit::Actor::User(self.user.id),
            member_id: Some(self.user.id),
            role: self.user.role.clone(),
            owner_rights: self.is_owner(),
            settings: self.settings.clone(),
            reason: None,
        }
    }
}

impl By {
    /// A platform operator acting on a tenant with `settings`.
    pub fn operator(operator_id: Uuid, settings: TenantSettings, reason: Option<String>) -> Self {
        Self {
            actor: crate::audit::Actor::Operator(operator_id),
            member_id: None,
            role: String::new(),
            owner_rights: true,
            settings,
            reason,
        }
    }
}

/// The `403 forbidden` answer.
pub fn forbidden(permission: Permission) -> Error {
    Error::Forbidden {
        code: ErrorCode::Forbidden,
        message: format!("this needs the {} permission", permission.as_str()),
    }
}

/// Checks that `user_id` may do what `permission` allows in `scope`.
pub async fn require(
    state: &AppState,
    scope: &TenantScope,
    user_id: Uuid,
    permission: Permission,
) -> Result<Authorized> {
    let user = crate::users::current(&state.users, scope, user_id).await?;
    if user.status != UserStatus::Active {
        return Err(Error::unauthorized());
    }
    let tx = scope.read().await?;
    let settings = TenantSettings::load(&tx).await?;
    tx.commit().await?;
    if !roles::permissions(&user.role, &settings.custom_roles).contains(&permission) {
        return Err(forbidden(permission));
    }
    Ok(Authorized { user, settings })
}
