//! Signing in without a password: a one-time code emailed to an active account.

use crate::throttle;
use crate::{
    context::OpContext, domain::EmailAddress, error::Result, ratelimit::Bucket,
    signin::LoginOutcome, users::UserStatus,
};

use super::{Accounts, codes, consume_code, invalid_code, ip_key, send_code_quietly};

/// `POST /auth/otp/send`: emails a one-time login code to an active account (202 either way).
pub async fn otp_send(acc: &Accounts, ctx: &OpContext, email: &str) -> Result<()> {
    let (scope, meta) = (ctx.scope(), ctx.meta());
    let email = EmailAddress::parse(email)?;
    throttle::every_attempt(&acc.throttle, scope, Bucket::OtpIp, &ip_key(scope, meta)).await?;
    send_code_quietly(
        acc,
        ctx,
        &email,
        UserStatus::Active,
        codes::Purpose::Login,
        "auth.otp_sent",
    )
    .await
}

/// `POST /auth/otp/verify`: the emailed login code signs an active account in (or, with MFA
/// on, answers a challenge for the second factor).
pub async fn otp_verify(
    acc: &Accounts,
    ctx: &OpContext,
    email: &str,
    code: &str,
) -> Result<LoginOutcome> {
    let (_scope, _meta) = (ctx.scope(), ctx.meta());
    let (tx, u, _) = consume_code(acc, ctx, email, code, codes::Purpose::Login).await?;
    if u.status != UserStatus::Active {
        return Err(invalid_code());
    }
    crate::signin::finish_or_challenge(&acc.signin, ctx, tx, u, "otp", false).await
}
