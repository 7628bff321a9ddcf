//! sea-orm entities. `tenant` lives in the control plane; the others live in each tenant's own
//! schema or file and are reachable only through a [`crate::store::TenantTx`].

pub mod audit_checkpoint;
pub mod audit_event;
pub mod email_code;
pub mod invitation;
pub mod mfa_backup_code;
pub mod mfa_challenge;
pub mod mfa_totp;
pub mod outbox;
pub mod refresh_token;
pub mod reset_token;
pub mod session;
pub mod setting;
pub mod signing_key;
pub mod tenant;
pub mod user;
