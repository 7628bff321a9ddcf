//! Authorisation of tenant-admin operations, in one place: the caller's *current* role (read
//! through the user cache that every role or status change clears, not the role frozen in the
//! token) resolved against the tenant's built-in and custom roles.

use std::{marker::PhantomData, sync::Arc};

use uuid::Uuid;

use crate::{
    context::{Actor, OpContext},
    error::{Error, ErrorCode, Result},
    roles::{self, Permission, Role},
    settings::TenantSettings,
    store::TenantScope,
    users::{UserStatus, UsersCache},
};

/// What an operator may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpPermission {
    /// See tenants, members, sessions, invitations and audit logs; search customers.
    Read,
    /// Revoke sessions, reset MFA, force a password reset, resend invitations.
    Support,
    /// Change members' roles and status; create, rename, suspend, resume and delete tenants;
    /// change tenant settings; manage operators.
    Admin,
}

impl OpPermission {
    /// The name put in the token's `permissions`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "platform:read",
            Self::Support => "platform:support",
            Self::Admin => "platform:admin",
        }
    }
}

/// The operator roles: `support` (read and support actions) and `admin` (everything).
pub fn operator_permissions(role: &str) -> &'static [OpPermission] {
    match role {
        "admin" => &[
            OpPermission::Read,
            OpPermission::Support,
            OpPermission::Admin,
        ],
        "support" => &[OpPermission::Read, OpPermission::Support],
        _ => &[],
    }
}

/// A request's proven operator.
#[derive(Clone, Debug)]
pub struct OperatorCaller {
    pub id: Uuid,
    pub session_id: Uuid,
    pub role: String,
}

impl OperatorCaller {
    /// Refuses with `403 forbidden` unless the operator's role allows `p`.
    pub fn require(&self, p: OpPermission) -> Result<()> {
        if operator_permissions(&self.role).contains(&p) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                code: ErrorCode::Forbidden,
                message: format!("this needs the operator permission {}", p.as_str()),
            })
        }
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
    /// Inviting members, changing their role or status, removing them (`members:write`;
    /// operators: `admin`).
    MembersWrite => MembersWrite, Admin;
    /// Helping a member: resetting their second factor, forcing a password reset, resending an
    /// invitation (`members:write`; operators: `support`).
    MemberSupport => MembersWrite, Support;
    /// Revoking sessions (`sessions:revoke`; operators: `support`).
    SessionsRevoke => SessionsRevoke, Support;
    /// Reading the tenant's settings (`settings:read`; operators: `read`).
    SettingsRead => SettingsRead, Read;
    /// Changing the tenant's settings (`settings:write`; operators: `admin`).
    SettingsWrite => SettingsWrite, Admin;
    /// Reading a tenant's sessions (`sessions:read`; operators: `read`).
    SessionsRead => SessionsRead, Read;
    /// Reading the audit log (`audit:read`; operators: `read`).
    AuditRead => AuditRead, Read;
}

/// Proof that the caller may do what `G` allows in one tenant, carrying the operation's
/// context and the actor's rights. Only this module makes one: [`grant`] for a member,
/// [`grant_operator`] for an operator. An operation without it does not compile:
///
/// ```compile_fail
/// # async fn f(scope: &platform::store::TenantScope) -> platform::error::Result<()> {
/// platform::members::list(scope, &platform::members::Filter::default()).await?;
/// # Ok(())
/// # }
/// ```
///
/// ```compile_fail
/// # fn f(ctx: platform::context::OpContext, by: platform::authz::By) {
/// let forged: platform::authz::Granted<platform::authz::MembersWrite> =
///     platform::authz::Granted { ctx, by, _grant: std::marker::PhantomData };
/// # }
/// ```
pub struct Granted<G: Grant> {
    ctx: OpContext,
    by: By,
    _grant: PhantomData<fn() -> G>,
}

impl<G: Grant> std::fmt::Debug for Granted<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Granted")
            .field("permission", &G::PERMISSION.as_str())
            .field("tenant", &self.ctx.scope().tenant_id())
            .field("actor", &self.ctx.actor())
            .finish()
    }
}

impl<G: Grant> Granted<G> {
    /// The tenant the permission holds in.
    pub fn scope(&self) -> &TenantScope {
        self.ctx.scope()
    }

    /// The operation's context.
    pub fn ctx(&self) -> &OpContext {
        &self.ctx
    }

    /// Where the request came from.
    pub fn meta(&self) -> &crate::context::RequestMeta {
        self.ctx.meta()
    }

    /// Who acts, with their rights.
    pub fn by(&self) -> &By {
        &self.by
    }
}

/// Checks that the member acting in `ctx` holds `G`'s permission: their *current* role and
/// status (through `users`, which every role or status change clears), against the tenant's
/// built-in and custom roles. Anyone else is refused.
pub async fn grant<G: Grant>(users: &UsersCache, ctx: &OpContext) -> Result<Granted<G>> {
    let Actor::User(user_id) = ctx.actor() else {
        return Err(Error::unauthorized());
    };
    let user = crate::users::current(users, ctx.scope(), user_id).await?;
    if user.status != UserStatus::Active {
        return Err(Error::unauthorized());
    }
    let settings = ctx.settings().await?;
    if !roles::permissions(&user.role, &settings.custom_roles).contains(&G::PERMISSION) {
        return Err(forbidden(G::PERMISSION));
    }
    let by = By {
        actor: ctx.actor(),
        member_id: Some(user.id),
        owner_rights: user.role == Role::Owner,
        role: Some(user.role.clone()),
        settings,
        reason: ctx.reason().map(str::to_owned),
    };
    Ok(Granted {
        ctx: ctx.clone(),
        by,
        _grant: PhantomData,
    })
}

/// Checks that operator `caller` holds `G`'s operator permission; they act in `ctx` (an
/// operator's context, naming them and their reason).
pub async fn grant_operator<G: Grant>(
    caller: &OperatorCaller,
    ctx: &OpContext,
) -> Result<Granted<G>> {
    caller.require(G::OPERATOR)?;
    let by = By::unrestricted(Actor::Operator(caller.id), ctx).await?;
    Ok(Granted {
        ctx: ctx.clone().acting(Actor::Operator(caller.id)),
        by,
        _grant: PhantomData,
    })
}

/// The platform itself acting in `ctx` (whose actor must be [`Actor::System`]): for commands
/// run by whoever runs the binary, who holds the master key and the database anyway (the CLI,
/// migrations, tests). Never for a request: the HTTP layer builds no system context.
pub async fn grant_platform<G: Grant>(ctx: &OpContext) -> Result<Granted<G>> {
    if !matches!(ctx.actor(), Actor::System) {
        return Err(Error::unauthorized());
    }
    let by = By::unrestricted(Actor::System, ctx).await?;
    Ok(Granted {
        ctx: ctx.clone(),
        by,
        _grant: PhantomData,
    })
}

/// Who performs a tenant-admin action, as the domain functions need to know them: a member
/// (with their current rights) or a platform operator.
#[derive(Clone, Debug)]
pub struct By {
    /// Who the audit log names.
    pub actor: crate::context::Actor,
    /// The member acting, if a member is.
    pub member_id: Option<Uuid>,
    /// The acting member's current role (none for operators and the platform).
    pub role: Option<Role>,
    /// Whether they may grant, change or remove ownership (owners and platform operators).
    pub owner_rights: bool,
    /// The tenant's settings (its custom roles): the operation's snapshot, shared.
    pub settings: Arc<TenantSettings>,
    /// Why (an operator's free-text reason), recorded with the tenant's audit events.
    pub reason: Option<String>,
}

impl By {
    /// Whether the actor may grant `role`, or act on a member holding it: owners and operators
    /// may always; anyone else only when the role's permissions are all among their own, so no
    /// one can hand out (or take from a more powerful member) more than they hold.
    pub fn may_manage(&self, role: &Role) -> bool {
        if self.owner_rights {
            return true;
        }
        let Some(own) = &self.role else {
            return false;
        };
        let mine = roles::permissions(own, &self.settings.custom_roles);
        *role != Role::Owner
            && roles::permissions(role, &self.settings.custom_roles)
                .iter()
                .all(|p| mine.contains(p))
    }
}

/// The `403` for a role the actor may not grant or act on.
pub fn beyond_own_rights(role: &Role) -> Error {
    Error::Forbidden {
        code: ErrorCode::Forbidden,
        message: format!(
            "the role {:?} holds permissions you do not have",
            role.as_str()
        ),
    }
}

impl By {
    /// `actor` (an operator, or the platform itself) acting in `ctx` with every right a tenant
    /// can give, ownership included.
    async fn unrestricted(actor: Actor, ctx: &OpContext) -> Result<Self> {
        Ok(Self {
            actor,
            member_id: None,
            role: None,
            owner_rights: true,
            settings: ctx.settings().await?,
            reason: ctx.reason().map(str::to_owned),
        })
    }
}

/// The `403 forbidden` answer.
pub fn forbidden(permission: Permission) -> Error {
    Error::Forbidden {
        code: ErrorCode::Forbidden,
        message: format!("this needs the {} permission", permission.as_str()),
    }
}
