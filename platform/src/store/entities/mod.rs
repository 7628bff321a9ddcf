//! sea-orm entities. `tenant`, `operator*` and `platform_key` live in the control plane; the
//! others live in each tenant's own schema or file and are reachable only through a
//! [`crate::store::TenantTx`].

pub mod audit_checkpoint;
pub mod audit_event;
pub mod domain_event;
pub mod email_code;
pub mod invitation;
pub mod mfa_backup_code;
pub mod mfa_challenge;
pub mod mfa_totp;
pub mod operator;
pub mod operator_audit;
pub mod operator_challenge;
pub mod operator_refresh_token;
pub mod operator_session;
pub mod outbox;
pub mod platform_key;
pub mod refresh_token;
pub mod reset_token;
pub mod session;
pub mod setting;
pub mod signing_key;
pub mod tenant;
pub mod user;
