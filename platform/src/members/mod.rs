//! A tenant's members as its admins manage them: listing and search, role changes, disabling
//! and enabling, removal ([`invitations`] and [`sessions`] cover the rest). The tenant's last
//! active owner can be neither demoted, disabled nor removed, and only owners touch ownership.

pub mod invitation_mail;
pub mod invitations;
pub mod sessions;
pub mod support;

use crate::authz::MembersWrite;
use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use uuid::Uuid;

use crate::{
    audit::{self, Event},
    authz::{Granted, MembersRead},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    roles::{self, Role},
    store::{self, TenantTx, entities::user},
    users::UserStatus,
};

/// Which members to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// A substring of the email or name (case-insensitive).
    pub q: Option<String>,
    pub role: Option<String>,
    /// `pending`, `active` or `disabled`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// One page of members, and the cursor of the next.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<user::Model>,
    pub next_cursor: Option<String>,
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (escape character `\`).
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A page of members, in order of joining.
pub async fn list(granted: &Granted<MembersRead>, f: &Filter) -> Result<Page> {
    let scope = granted.scope();
    let limit = crate::paging::limit(f.limit)?;
    let mut q = user::Entity::find();
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 100 {
            return Err(Error::invalid_param(
                "q",
                "search text is at most 100 characters",
            ));
        }
        let pattern = like_pattern(text);
        q = q.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(user::Column::Email)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(user::Column::Name)))
                        .like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    if let Some(role) = f.role.as_deref() {
        q = q.filter(user::Column::Role.eq(role));
    }
    if let Some(status) = f.status.as_deref() {
        let Some(status) = UserStatus::parse(status) else {
            return Err(Error::invalid(
                "status",
                "status is pending, active or disabled",
            ));
        };
        q = q.filter(user::Column::Status.eq(status));
    }
    if let Some(id) = crate::paging::cursor(f.cursor.as_deref())? {
        q = q.filter(user::Column::Id.gt(id));
    }
    let tx = scope.read().await?;
    let rows = q
        .order_by_asc(user::Column::Id)
        .limit(limit + 1)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    let (items, next_cursor) = crate::paging::split(rows, limit, |u| u.id);
    Ok(Page { items, next_cursor })
}

fn not_found() -> Error {
    Error::NotFound("member")
}

async fn find(tx: &TenantTx, id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id(id)
        .one(&**tx)
        .await?
        .ok_or_else(not_found)
}

/// One member.
pub async fn get(granted: &Granted<MembersRead>, id: Uuid) -> Result<user::Model> {
    let scope = granted.scope();
    let tx = scope.read().await?;
    let u = find(&tx, id).await?;
    tx.commit().await?;
    Ok(u)
}

fn owners_only() -> Error {
    Error::Forbidden {
        code: ErrorCode::Forbidden,
        message: "only an owner can grant, change or remove the owner role".into(),
    }
}

/// What an admin changes of a member.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub role: Option<Role>,
    /// `active` or `disabled`.
    pub status: Option<String>,
}

/// `PATCH /members/{id}`: changes a member's role and/or status. Disabling revokes every
/// session of theirs at once and blocks their logins; both changes reach the member's next
/// request (their cached view is dropped), not only their next token.
pub async fn update(
    granted: &Granted<MembersWrite>,
    id: Uuid,
    change: &Change,
) -> Result<user::Model> {
    let tx = granted.scope().begin().await?;
    change_in(&tx, granted, id, change).await?;
    let updated = find(&tx, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Applies `change` to member `id` inside `tx` (see [`update`]); nothing is written when a
/// check fails.
pub(crate) async fn change_in(
    tx: &TenantTx,
    granted: &Granted<MembersWrite>,
    id: Uuid,
    change: &Change,
) -> Result<()> {
    let (meta, by) = (granted.meta(), granted.by());
    if let Some(role) = &change.role
        && !roles::exists(role, &by.settings.custom_roles)
    {
        return Err(Error::invalid(
            "role",
            format!("unknown role {:?}", role.as_str()),
        ));
    }
    let wanted = match change.status.as_deref().map(UserStatus::parse) {
        None => None,
        Some(Some(s @ (UserStatus::Active | UserStatus::Disabled))) => Some(s),
        Some(_) => return Err(Error::invalid("status", "status is active or disabled")),
    };
    let target = find(tx, id).await?;
    let new_role = change.role.clone().filter(|r| *r != target.role);
    let new_status = wanted.filter(|s| *s != target.status);
    if new_role.is_some()
        && (target.role == Role::Owner || new_role == Some(Role::Owner))
        && !by.owner_rights
    {
        return Err(owners_only());
    }
    if new_status.is_some() && target.role == Role::Owner && !by.owner_rights {
        return Err(owners_only());
    }
    // Nobody hands out, or takes away from a stronger member, more than they hold.
    if (new_role.is_some() || new_status.is_some()) && !by.may_manage(&target.role) {
        return Err(crate::authz::beyond_own_rights(&target.role));
    }
    if let Some(role) = &new_role
        && !by.may_manage(role)
    {
        return Err(crate::authz::beyond_own_rights(role));
    }
    if new_status.is_some() && target.status == UserStatus::Pending {
        return Err(Error::Conflict {
            code: ErrorCode::MemberPending,
            message: "the member has not verified their email yet".into(),
        });
    }
    if new_role.is_some() {
        crate::users::refuse_last_owner(tx, &target, "demoted").await?;
    }
    if new_status == Some(UserStatus::Disabled) {
        crate::users::refuse_last_owner(tx, &target, "disabled").await?;
    }
    let now = Utc::now();
    let mut revoked = Vec::new();
    if let Some(role) = &new_role {
        user::Entity::update_many()
            .col_expr(user::Column::Role, Expr::value(role.clone()))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(id))
            .exec(&**tx)
            .await?;
        audit::record(
            tx,
            meta,
            Event::ok(by.actor, "member.role_changed")
                .reason(by.reason.as_deref())
                .target("user", id)
                .details(serde_json::json!({ "from": target.role, "to": role })),
        )
        .await?;
        tx.emit(
            by.actor,
            &DomainEvent::MemberRoleChanged {
                user: id,
                from: target.role.to_string(),
                to: role.to_string(),
            },
        );
    }
    if let Some(status) = new_status {
        user::Entity::update_many()
            .col_expr(user::Column::Status, Expr::value(status))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(id))
            .exec(&**tx)
            .await?;
        if status == UserStatus::Disabled {
            revoked =
                crate::sessions::revoke_all(tx, by.actor, id, None, "member_disabled").await?;
        }
        audit::record(
            tx,
            meta,
            Event::ok(
                by.actor,
                if status == UserStatus::Disabled {
                    "member.disabled"
                } else {
                    "member.enabled"
                },
            )
            .target("user", id)
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "sessions_revoked": revoked.len() })),
        )
        .await?;
        tx.emit(
            by.actor,
            &DomainEvent::MemberStatusChanged {
                user: id,
                from: target.status.as_str().into(),
                to: status.as_str().into(),
            },
        );
    }
    tx.invalidate(store::Change::User { id });
    Ok(())
}

/// `DELETE /members/{id}`: removes a member and everything of theirs (the audit log keeps
/// their events).
pub async fn remove(granted: &Granted<MembersWrite>, id: Uuid) -> Result<()> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let tx = scope.begin().await?;
    let target = find(&tx, id).await?;
    if target.role == Role::Owner && !by.owner_rights {
        return Err(owners_only());
    }
    if !by.may_manage(&target.role) {
        return Err(crate::authz::beyond_own_rights(&target.role));
    }
    crate::users::refuse_last_owner(&tx, &target, "removed").await?;
    crate::users::erase(&tx, by.actor, &target).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "member.removed")
            .reason(by.reason.as_deref())
            .target("user", id)
            .details(serde_json::json!({ "email": target.email, "role": target.role })),
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_taken_literally() {
        assert_eq!(like_pattern("Ann"), "%ann%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
