//! Checking a user's second factors inside a tenant transaction: a TOTP code (each step
//! accepted once, claimed with a conditional update so two racing requests cannot both use it)
//! and backup codes (each usable once, the same way).

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    accounts::Accounts,
    crypto::totp::{BACKUP_CODE_COUNT, BackupCode, TotpSecret},
    error::{Error, Result},
    store::{
        TenantScope, TenantTx,
        entities::{mfa_backup_code, mfa_totp},
    },
};

/// The AAD a user's sealed TOTP secret is bound to: it opens for no other user or tenant.
fn secret_aad(tenant_id: Uuid, user_id: Uuid) -> String {
    format!("tenant:{tenant_id}:user:{user_id}:totp")
}

/// Seals `secret` for storage in `user_id`'s row.
pub fn seal_secret(
    acc: &Accounts,
    scope: &TenantScope,
    user_id: Uuid,
    secret: &TotpSecret,
) -> Result<String> {
    acc.sealer
        .seal(
            secret.bytes(),
            secret_aad(scope.tenant_id(), user_id).as_bytes(),
        )
        .map_err(|e| Error::Internal(anyhow::anyhow!("sealing a TOTP secret: {e}")))
}

/// Opens the sealed secret of `row`.
pub fn open_secret(
    acc: &Accounts,
    scope: &TenantScope,
    row: &mfa_totp::Model,
) -> Result<TotpSecret> {
    let raw = acc
        .sealer
        .open(
            &row.secret_sealed,
            secret_aad(scope.tenant_id(), row.user_id).as_bytes(),
        )
        .map_err(|e| Error::Internal(anyhow::anyhow!("opening a TOTP secret: {e}")))?;
    TotpSecret::from_bytes(&raw)
        .map_err(|e| Error::Internal(anyhow::anyhow!("a stored TOTP secret: {e}")))
}

/// The authenticator of `user_id`; `confirmed` selects an enabled one or a pending enrolment.
pub async fn authenticator(
    tx: &TenantTx,
    user_id: Uuid,
    confirmed: bool,
) -> Result<Option<mfa_totp::Model>> {
    let row = mfa_totp::Entity::find_by_id(user_id).one(&**tx).await?;
    Ok(row.filter(|r| r.confirmed_at.is_some() == confirmed))
}

/// Whether `code` is a current TOTP code of `row` for a step not used before; on success the
/// step is recorded in `tx`, so the code never works again.
pub async fn use_totp(
    acc: &Accounts,
    scope: &TenantScope,
    tx: &TenantTx,
    row: &mfa_totp::Model,
    code: &str,
) -> Result<bool> {
    let secret = open_secret(acc, scope, row)?;
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = secret.verify(code, now, row.last_used_step) else {
        return Ok(false);
    };
    let claimed = mfa_totp::Entity::update_many()
        .col_expr(mfa_totp::Column::LastUsedStep, Expr::value(Some(step)))
        .filter(mfa_totp::Column::UserId.eq(row.user_id))
        .filter(
            Condition::any()
                .add(mfa_totp::Column::LastUsedStep.is_null())
                .add(mfa_totp::Column::LastUsedStep.lt(step)),
        )
        .exec(&**tx)
        .await?
        .rows_affected;
    Ok(claimed == 1)
}

fn backup_hash(acc: &Accounts, tenant: Uuid, user_id: Uuid, code: &BackupCode) -> String {
    acc.code_hasher.hash(
        tenant,
        "mfa-backup",
        &user_id.to_string(),
        code.normalized(),
    )
}

/// Whether `code` is an unused backup code of `user_id`; on success it is spent in `tx`.
pub async fn use_backup_code(
    acc: &Accounts,
    tx: &TenantTx,
    user_id: Uuid,
    code: &str,
) -> Result<bool> {
    let Some(code) = BackupCode::parse(code) else {
        return Ok(false);
    };
    // Codes made before hashes bound the tenant are still found by their old hash.
    let hashes = [
        backup_hash(acc, tx.tenant_id(), user_id, &code),
        acc.code_hasher
            .legacy_hash("mfa-backup", &user_id.to_string(), code.normalized()),
    ];
    let spent = mfa_backup_code::Entity::update_many()
        .col_expr(
            mfa_backup_code::Column::UsedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(mfa_backup_code::Column::UserId.eq(user_id))
        .filter(mfa_backup_code::Column::CodeHash.is_in(hashes))
        .filter(mfa_backup_code::Column::UsedAt.is_null())
        .exec(&**tx)
        .await?
        .rows_affected;
    Ok(spent == 1)
}

/// Replaces every backup code of `user_id` with a fresh set and returns it (the only time the
/// codes exist in clear).
pub async fn new_backup_codes(acc: &Accounts, tx: &TenantTx, user_id: Uuid) -> Result<Vec<String>> {
    crate::users::drop_backup_codes(tx, user_id).await?;
    let now = Utc::now();
    let codes: Vec<BackupCode> = (0..BACKUP_CODE_COUNT)
        .map(|_| BackupCode::generate())
        .collect();
    mfa_backup_code::Entity::insert_many(codes.iter().map(|c| mfa_backup_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        code_hash: Set(backup_hash(acc, tx.tenant_id(), user_id, c)),
        used_at: Set(None),
        created_at: Set(now),
    }))
    .exec(&**tx)
    .await?;
    Ok(codes.iter().map(BackupCode::display).collect())
}

/// Turns `user_id`'s MFA off: every second factor erased and the user's flag cleared.
pub async fn turn_off(tx: &TenantTx, user_id: Uuid) -> Result<()> {
    use crate::store::entities::user;
    crate::users::erase_factors(tx, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::MfaEnabled, Expr::value(false))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// Backup codes of `user_id` not used yet.
pub async fn backup_codes_left(tx: &TenantTx, user_id: Uuid) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(mfa_backup_code::Entity::find()
        .filter(mfa_backup_code::Column::UserId.eq(user_id))
        .filter(mfa_backup_code::Column::UsedAt.is_null())
        .count(&**tx)
        .await?)
}
