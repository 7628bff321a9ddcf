//! Inviting people into a tenant: create (emails a single-use link valid 7 days), list, resend,
//! revoke, and accept (creates the verified user with the invited role and signs them in).

use crate::{
    accounts::Accounts,
    authz::{MemberSupport, MembersWrite},
    context::OpContext,
    mail::Mailer,
    signin::TokenPair,
};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    accounts,
    audit::{self, Actor, Event},
    authz::{By, Granted, MembersRead},
    crypto::codes::token_hash,
    domain::{EmailAddress, Password},
    error::{Error, ErrorCode, Result},
    events::DomainEvent,
    members::invitation_mail as sending,
    ratelimit::Bucket,
    roles::{self, Role},
    store::entities::{invitation, user},
    users::UserStatus,
};

fn not_found() -> Error {
    Error::NotFound("invitation")
}

/// `POST /members/invitations`: invites `email` with `role`. Inviting an address that already
/// has a pending invitation replaces it (the older link stops working); an existing member is
/// `409 already_member`; only owners invite owners.
pub async fn create(
    granted: &Granted<MembersWrite>,
    mailer: &Mailer,
    email: &str,
    role: &Role,
) -> Result<invitation::Model> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let email = EmailAddress::parse(email)?;
    if !roles::exists(role, &by.settings.custom_roles) {
        return Err(Error::invalid(
            "role",
            format!("unknown role {:?}", role.as_str()),
        ));
    }
    refuse_beyond_rights(by, role)?;
    let tenant = granted.ctx().tenant().clone();
    let mut tx = scope.begin().await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&*tx)
        .await?;
    if existing.is_some_and(|u| u.status != UserStatus::Pending) {
        return Err(Error::Conflict {
            code: ErrorCode::AlreadyMember,
            message: "that address already belongs to a member".into(),
        });
    }
    let now = Utc::now();
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&*tx)
        .await?;
    let inv = sending::invite(&mut tx, mailer, &tenant, &email, role, by.member_id).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "invitation.created")
            .reason(by.reason.as_deref())
            .target("invitation", inv.id)
            .details(serde_json::json!({ "email": inv.email, "role": inv.role })),
    )
    .await?;
    tx.commit().await?;
    Ok(inv)
}

/// Which invitations to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `pending` (the default), `accepted`, `revoked`, `expired` or `all`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// A page of invitations, newest first, and the cursor of the next.
pub async fn list(
    granted: &Granted<MembersRead>,
    f: &Filter,
) -> Result<(Vec<invitation::Model>, Option<String>)> {
    let scope = granted.scope();
    let limit = crate::paging::limit(f.limit)?;
    let now = Utc::now();
    let mut q = invitation::Entity::find();
    q = match f.status.as_deref().unwrap_or("pending") {
        "all" => q,
        "pending" => q
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(now)),
        "accepted" => q.filter(invitation::Column::AcceptedAt.is_not_null()),
        "revoked" => q.filter(invitation::Column::RevokedAt.is_not_null()),
        "expired" => q
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.lte(now)),
        _ => {
            return Err(Error::invalid(
                "status",
                "status is pending, accepted, revoked, expired or all",
            ));
        }
    };
    if let Some(id) = crate::paging::cursor(f.cursor.as_deref())? {
        q = q.filter(invitation::Column::Id.lt(id));
    }
    let tx = scope.read().await?;
    let rows = q
        .order_by_desc(invitation::Column::Id)
        .limit(limit + 1)
        .all(&*tx)
        .await?;
    tx.commit().await?;
    Ok(crate::paging::split(rows, limit, |i| i.id))
}

/// `POST /members/invitations/{id}/resend`: a new link and a new 7-day life for an invitation
/// not yet accepted or revoked (an expired one comes back to life).
pub async fn resend(
    granted: &Granted<MemberSupport>,
    mailer: &Mailer,
    id: Uuid,
) -> Result<invitation::Model> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let tenant = granted.ctx().tenant().clone();
    let mut tx = scope.begin().await?;
    let inv = invitation::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .ok_or_else(not_found)?;
    refuse_beyond_rights(by, &inv.role)?;
    if inv.accepted_at.is_some() || inv.revoked_at.is_some() {
        return Err(Error::Conflict {
            code: ErrorCode::InvitationClosed,
            message: "the invitation was already accepted or revoked".into(),
        });
    }
    if !roles::exists(&inv.role, &by.settings.custom_roles) {
        return Err(Error::Conflict {
            code: ErrorCode::InvitationClosed,
            message: format!(
                "the role {:?} no longer exists: revoke this invitation and invite again",
                inv.role
            ),
        });
    }
    let inv = sending::reissue(&mut tx, mailer, &tenant, &inv).await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "invitation.resent")
            .reason(by.reason.as_deref())
            .target("invitation", id),
    )
    .await?;
    tx.commit().await?;
    Ok(inv)
}

/// Refuses when `by` may not act on an invitation to `role`: only owners (and operators) touch
/// an owner's invitation, and no one touches one to a role holding permissions they lack.
fn refuse_beyond_rights(by: &By, role: &Role) -> Result<()> {
    if *role == Role::Owner && !by.owner_rights {
        return Err(Error::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only an owner can invite an owner".into(),
        });
    }
    if !by.may_manage(role) {
        return Err(crate::authz::beyond_own_rights(role));
    }
    Ok(())
}

/// `DELETE /members/invitations/{id}`: the link stops working.
pub async fn revoke(granted: &Granted<MembersWrite>, id: Uuid) -> Result<()> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let tx = scope.begin().await?;
    let inv = invitation::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .ok_or_else(not_found)?;
    refuse_beyond_rights(by, &inv.role)?;
    if inv.accepted_at.is_some() {
        return Err(Error::Conflict {
            code: ErrorCode::InvitationClosed,
            message: "the invitation was already accepted".into(),
        });
    }
    invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&*tx)
        .await?;
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "invitation.revoked")
            .reason(by.reason.as_deref())
            .target("invitation", id),
    )
    .await?;
    tx.commit().await
}

fn invalid_invitation() -> Error {
    Error::Unauthorized {
        code: ErrorCode::InvalidInvitation,
        message: "the invitation is invalid, expired, revoked or already used",
    }
}

/// `POST /auth/invitations/accept`: the emailed token, a password (the tenant's password
/// policy applies) and optionally a name create the member, verified, with the invited role,
/// and sign them in. An address that self-registered but never verified becomes this member.
pub async fn accept(
    acc: &Accounts,
    ctx: &OpContext,
    token: &str,
    password: &str,
    name: Option<&str>,
) -> Result<TokenPair> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let ip = accounts::ip_key(scope, meta);
    // A wrong token is reserved as a failure before the lookup; a right one gives it back.
    let held = crate::throttle::reserve(
        &acc.throttle,
        Some(scope),
        &[crate::throttle::Cell::Tenant(Bucket::ResetIp, &ip)],
    )
    .await?;
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_invitation());
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name
        && (n.chars().count() > 200 || n.chars().any(char::is_control))
    {
        return Err(Error::invalid(
            "name",
            "a name is at most 200 characters, no control characters",
        ));
    }
    let password = Password::parse(password).map_err(|e| Error::invalid("password", e))?;
    let lookup = async {
        let tx = scope.read().await?;
        let now = Utc::now();
        let inv = invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(token_hash(token)))
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(now))
            .one(&*tx)
            .await?;
        let settings = ctx.settings_in(&tx).await?;
        tx.commit().await?;
        Ok::<_, Error>((inv, settings))
    };
    let (inv, settings) = lookup.await?;
    // A custom role removed since the invitation was sent is not handed out.
    let Some(inv) = inv.filter(|i| roles::exists(&i.role, &settings.custom_roles)) else {
        return Err(invalid_invitation());
    };
    held.refund(&acc.throttle);
    settings
        .password_policy
        .check(&password, Some(&inv.email))?;
    crate::throttle::platform_hash_budget(&acc.throttle, meta).await?;
    let hash = accounts::hash_password(acc, &password).await?;
    let tx = scope.begin().await?;
    // Claimed with a conditional update: a token signs up once even when raced.
    let now = Utc::now();
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(
            Condition::all()
                .add(invitation::Column::TokenHash.eq(token_hash(token)))
                .add(invitation::Column::ExpiresAt.gt(now))
                .add(invitation::Column::AcceptedAt.is_null())
                .add(invitation::Column::RevokedAt.is_null()),
        )
        .exec(&*tx)
        .await?
        .rows_affected;
    if claimed != 1 {
        return Err(invalid_invitation());
    }
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(inv.email.as_str()))
        .one(&*tx)
        .await?;
    let id = match existing {
        Some(u) if u.status == UserStatus::Pending => {
            user::Entity::update_many()
                .col_expr(user::Column::PasswordHash, Expr::value(Some(hash)))
                .col_expr(user::Column::Status, Expr::value(UserStatus::Active))
                .col_expr(user::Column::Role, Expr::value(inv.role.clone()))
                .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(now)))
                .col_expr(user::Column::Name, Expr::value(name.map(str::to_owned)))
                .col_expr(
                    user::Column::PendingPasswordHash,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(user::Column::RegistrationContested, Expr::value(false))
                .col_expr(user::Column::FailedLogins, Expr::value(0))
                .col_expr(
                    user::Column::LockedUntil,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .col_expr(user::Column::UpdatedAt, Expr::value(now))
                .filter(user::Column::Id.eq(u.id))
                .exec(&*tx)
                .await?;
            // Codes of the abandoned registration must not sign in later.
            crate::store::entities::email_code::Entity::delete_many()
                .filter(crate::store::entities::email_code::Column::Email.eq(u.email.as_str()))
                .exec(&*tx)
                .await?;
            tx.emit(Actor::User(u.id), &DomainEvent::UserVerified { user: u.id });
            u.id
        }
        Some(_) => {
            tx.rollback().await?;
            return Err(Error::Conflict {
                code: ErrorCode::AlreadyMember,
                message: "that address already belongs to a member".into(),
            });
        }
        None => {
            let id = Uuid::now_v7();
            user::Entity::insert(user::ActiveModel {
                id: Set(id),
                email: Set(inv.email.clone()),
                name: Set(name.map(str::to_owned)),
                password_hash: Set(Some(hash)),
                status: Set(UserStatus::Active),
                role: Set(inv.role.clone()),
                email_verified_at: Set(Some(now)),
                failed_logins: Set(0),
                locked_until: Set(None),
                mfa_enabled: Set(false),
                pending_password_hash: Set(None),
                registration_contested: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&*tx)
            .await?;
            tx.emit(
                Actor::User(id),
                &DomainEvent::UserCreated {
                    user: id,
                    email: inv.email.clone(),
                    status: UserStatus::Active,
                },
            );
            id
        }
    };
    audit::record(
        &tx,
        meta,
        Event::ok(Actor::User(id), "invitation.accepted")
            .target("invitation", inv.id)
            .details(serde_json::json!({ "role": inv.role })),
    )
    .await?;
    let u = user::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the accepted member vanished")))?;
    tx.invalidate(crate::store::Change::User { id });
    crate::signin::finish_login(&acc.signin, ctx, tx, u, &["pwd"]).await
}
