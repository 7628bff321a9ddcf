//! `PATCH /settings`: merges a partial change into the tenant's settings, validates the result
//! as a whole, stores the changed keys and applies them at once.

use crate::{
    authz::{Granted, SettingsWrite},
    mail::Mailer,
};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Map, Value};

use super::{TenantSettings, validate::validate};
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

/// Applies `patch` (setting name → new value; `null` restores the default) to the settings of
/// `scope` and returns the result. Nothing is stored unless every value is valid.
pub async fn update(
    granted: &Granted<SettingsWrite>,
    mailer: &Mailer,
    patch: Map<String, Value>,
) -> Result<TenantSettings> {
    let (scope, meta, by) = (granted.scope(), granted.meta(), granted.by());
    let defaults = match serde_json::to_value(TenantSettings::default()) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(Error::Internal(anyhow::anyhow!(
                "default settings do not serialise"
            )));
        }
    };
    if patch.is_empty() {
        return Err(Error::invalid(
            "settings",
            "send at least one setting to change",
        ));
    }
    if let Some(unknown) = patch.keys().find(|k| !defaults.contains_key(*k)) {
        let mut known: Vec<&str> = defaults.keys().map(String::as_str).collect();
        known.sort_unstable();
        return Err(Error::invalid(
            "settings",
            format!("unknown setting {unknown:?} (known: {})", known.join(", ")),
        ));
    }
    if !by.owner_rights
        && let Some(key) = patch.keys().find(|k| OWNER_ONLY.contains(&k.as_str()))
    {
        return Err(Error::Forbidden {
            code: ErrorCode::Forbidden,
            message: format!("only an owner can change {key}"),
        });
    }
    let tx = scope.begin().await?;
    tx.lock("settings").await?;
    let current = TenantSettings::load(&tx).await?;
    let mut merged = match serde_json::to_value(&current) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(Error::Internal(anyhow::anyhow!(
                "settings do not serialise"
            )));
        }
    };
    for (key, value) in &patch {
        let value = if value.is_null() {
            defaults.get(key).cloned().unwrap_or(Value::Null)
        } else {
            value.clone()
        };
        merged.insert(key.clone(), value);
        // One key at a time, so a value of the wrong shape is named.
        if let Err(e) = serde_json::from_value::<TenantSettings>(Value::Object(merged.clone())) {
            return Err(Error::invalid("settings", format!("{key}: {e}")));
        }
    }
    let next: TenantSettings = serde_json::from_value(Value::Object(merged.clone()))
        .map_err(|e| Error::invalid("settings", e.to_string()))?;
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
    for key in patch.keys() {
        setting::Entity::delete_by_id(key.clone())
            .exec(&*tx)
            .await?;
        let value = merged.get(key).cloned().unwrap_or(Value::Null);
        if defaults.get(key) != Some(&value) {
            setting::Entity::insert(setting::ActiveModel {
                key: Set(key.clone()),
                value: Set(value.to_string()),
                updated_at: Set(now),
            })
            .exec(&*tx)
            .await?;
        }
    }
    let mut keys: Vec<&String> = patch.keys().collect();
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
            keys: keys.iter().map(|k| (*k).clone()).collect(),
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
