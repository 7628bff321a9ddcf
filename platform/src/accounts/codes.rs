//! Emailed one-time codes: 6 digits, stored as a keyed hash bound to the tenant, 10 minutes,
//! 5 attempts, one live code per email and purpose, and a resend cooldown.

use crate::accounts::Accounts;
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    crypto::codes::OtpCode,
    domain::EmailAddress,
    error::Result,
    mail::messages::{EmailVerification, LoginCode},
    store::{TenantTx, entities::email_code},
    tenants::Tenant,
};

/// Minutes a code stays valid.
pub const CODE_MINUTES: i64 = 10;
/// Wrong guesses before a code is void.
pub const MAX_ATTEMPTS: i32 = 5;
/// Seconds before another code is sent for the same email and purpose.
pub const RESEND_COOLDOWN_SECS: i64 = 60;

/// What a code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    Login,
    /// The emailed second factor of a password login.
    MfaLogin,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::Login => "login",
            Self::MfaLogin => "mfa_login",
        }
    }
}

/// Whether a code for (`email`, `purpose`) is live (unexpired, with attempts left).
pub async fn is_live(tx: &TenantTx, email: &EmailAddress, purpose: Purpose) -> Result<bool> {
    Ok(email_code::Entity::find()
        .filter(email_code::Column::Email.eq(email.as_str()))
        .filter(email_code::Column::Purpose.eq(purpose.as_str()))
        .filter(email_code::Column::ExpiresAt.gt(Utc::now()))
        .filter(email_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .one(&**tx)
        .await?
        .is_some())
}

/// Replaces any live code for (`email`, `purpose`) with a new one and queues its email — unless
/// one was sent less than the cooldown ago, in which case no mail goes out and `false` returns.
pub async fn send(
    acc: &Accounts,
    tx: &mut TenantTx,
    tenant: &Tenant,
    email: &EmailAddress,
    purpose: Purpose,
) -> Result<bool> {
    let now = Utc::now();
    let previous = email_code::Entity::find()
        .filter(email_code::Column::Email.eq(email.as_str()))
        .filter(email_code::Column::Purpose.eq(purpose.as_str()))
        .order_by_desc(email_code::Column::CreatedAt)
        .one(&**tx)
        .await?;
    if previous
        .as_ref()
        .is_some_and(|p| p.created_at > now - chrono::Duration::seconds(RESEND_COOLDOWN_SECS))
    {
        return Ok(false);
    }
    email_code::Entity::delete_many()
        .filter(email_code::Column::Email.eq(email.as_str()))
        .filter(email_code::Column::Purpose.eq(purpose.as_str()))
        .exec(&**tx)
        .await?;
    let code = OtpCode::generate();
    email_code::Entity::insert(email_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        purpose: Set(purpose.as_str().into()),
        email: Set(email.as_str().into()),
        code_hash: Set(acc.code_hasher.hash(
            tx.tenant_id(),
            purpose.as_str(),
            email.as_str(),
            code.as_str(),
        )),
        attempts: Set(0),
        expires_at: Set(now + chrono::Duration::minutes(CODE_MINUTES)),
        created_at: Set(now),
        // Codes no longer carry a password (a pending account's candidate lives on its row);
        // the column is read only for codes sent by earlier releases.
        password_hash: Set(None),
    })
    .exec(&**tx)
    .await?;
    let branding = acc.mailer.branding_for(&tenant.name);
    let (code, expires_minutes) = (code.as_str().to_owned(), CODE_MINUTES);
    match purpose {
        Purpose::VerifyEmail => {
            let mail = EmailVerification {
                code,
                expires_minutes,
            };
            acc.mailer.queue(tx, &branding, email, &mail).await?;
        }
        Purpose::Login | Purpose::MfaLogin => {
            let mail = LoginCode {
                code,
                expires_minutes,
            };
            acc.mailer.queue(tx, &branding, email, &mail).await?;
        }
    }
    Ok(true)
}

/// Checks a code and returns the consumed row on a match. Every check first takes one of the
/// code's attempts with a conditional update, so concurrent guesses cannot exceed the limit;
/// a match must then delete the row itself, so a code signs in once even when raced.
pub async fn check(
    acc: &Accounts,
    tx: &TenantTx,
    email: &EmailAddress,
    purpose: Purpose,
    code: &OtpCode,
) -> Result<Option<email_code::Model>> {
    let now = Utc::now();
    let Some(row) = email_code::Entity::find()
        .filter(email_code::Column::Email.eq(email.as_str()))
        .filter(email_code::Column::Purpose.eq(purpose.as_str()))
        .filter(email_code::Column::ExpiresAt.gt(now))
        .order_by_desc(email_code::Column::CreatedAt)
        .one(&**tx)
        .await?
    else {
        return Ok(None);
    };
    let attempt = email_code::Entity::update_many()
        .col_expr(
            email_code::Column::Attempts,
            Expr::col(email_code::Column::Attempts).add(1),
        )
        .filter(email_code::Column::Id.eq(row.id))
        .filter(email_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(&**tx)
        .await?
        .rows_affected;
    if attempt != 1 {
        email_code::Entity::delete_by_id(row.id).exec(&**tx).await?;
        return Ok(None);
    }
    if !acc.code_hasher.verify(
        tx.tenant_id(),
        purpose.as_str(),
        email.as_str(),
        code.as_str(),
        &row.code_hash,
    ) {
        return Ok(None);
    }
    let consumed = email_code::Entity::delete_by_id(row.id)
        .exec(&**tx)
        .await?
        .rows_affected;
    Ok((consumed == 1).then_some(row))
}
