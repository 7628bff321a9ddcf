//! `PATCH /settings`: merges a partial change into the tenant's settings, validates the result
//! as a whole, stores the changed keys and applies them at once.

use crate::{
    authz::{Granted, SettingsWrite},
    mail::Mailer,
};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Map, Value};

use super::validate::validate;
use crate::settings::{TenantSettings, patch::SettingsPatch};
use crate::{
    audit::{self, Event},
    error::{Error, ErrorCode, Result},
    store::entities::{invitation, setting, user},
};

/// Settings only owners (and platform operators) change: who gets which powers, who must use
/// MFA, what emails say, and how long the audit trail lasts.
pub const OWNER_ONLY: &[&str] = &[
    "custom_roles",
    "default_role",
    "email_templates",
    "mfa_policy",
    "mfa_email_otp",
    "audit_retention_days",
];

/// Applies `patch` to the tenant's settings and returns the result. Nothing is stored unless
/// the result is valid as a whole.
pub async fn update(
    granted: &Granted<SettingsWrite>,
    mailer: &Mailer,
    patch: &SettingsPatch,
) -> Result<TenantSettings> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let changed = patch.changed();
    if changed.is_empty() {
        return Err(Error::invalid(
            "settings",
            "send at least one setting to change",
        ));
    }
    if !by.owner_rights
        && let Some(key) = changed.iter().find(|k| OWNER_ONLY.contains(k))
    {
        return Err(Error::Forbidden {
            code: ErrorCode::Forbidden,
            message: format!("only an owner can change {key}"),
        });
    }
    let defaults = TenantSettings::default();
    let tx = scope.begin().await?;
    tx.lock("settings").await?;
    let current = TenantSettings::load(&tx).await?;
    let next = patch.apply(&current, &defaults);
    validate(&next, mailer)?;
    let now = Utc::now();
    for gone in current
        .custom_roles
        .keys()
        .filter(|r| !next.custom_roles.contains_key(*r))
    {
        let holders = user::Entity::find()
            .filter(user::Column::Role.eq(gone.as_str()))
            .count(&*tx)
            .await?;
        if holders > 0 {
            return Err(Error::Conflict {
                code: ErrorCode::RoleInUse,
                message: format!("{holders} member(s) still have the role {gone:?}"),
            });
        }
        // An open invitation would hand the role out once accepted.
        let invited = invitation::Entity::find()
            .filter(invitation::Column::Role.eq(gone.as_str()))
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(now))
            .count(&*tx)
            .await?;
        if invited > 0 {
            return Err(Error::Conflict {
                code: ErrorCode::RoleInUse,
                message: format!(
                    "{invited} open invitation(s) still offer the role {gone:?}: revoke them first"
                ),
            });
        }
    }
    // Stored as one JSON value per setting, the default as no row.
    let (stored, default_values) = (as_map(&next)?, as_map(&defaults)?);
    for key in &changed {
        setting::Entity::delete_by_id((*key).to_owned())
            .exec(&*tx)
            .await?;
        let value = stored.get(*key).cloned().unwrap_or(Value::Null);
        if default_values.get(*key) != Some(&value) {
            setting::Entity::insert(setting::ActiveModel {
                key: Set((*key).to_owned()),
                value: Set(value.to_string()),
                updated_at: Set(now),
            })
            .exec(&*tx)
            .await?;
        }
    }
    let mut keys = changed;
    keys.sort_unstable();
    audit::record(
        &tx,
        meta,
        Event::ok(by.actor, "settings.updated")
            .reason(by.reason.as_deref())
            .details(serde_json::json!({ "keys": keys })),
    )
    .await?;
    tx.emit(
        by.actor,
        &crate::events::DomainEvent::SettingsChanged {
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        },
    );
    // Throttling overrides and CORS origins are cached per tenant: they go on every instance
    // once this commits, so the change applies now.
    tx.invalidate(crate::store::Change::Settings {
        tenant: scope.tenant_id(),
    });
    tx.commit().await?;
    Ok(next)
}

/// `settings` as setting name → JSON value, as the rows store them.
fn as_map(settings: &TenantSettings) -> Result<Map<String, Value>> {
    match serde_json::to_value(settings) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "settings do not serialise"
        ))),
    }
}
