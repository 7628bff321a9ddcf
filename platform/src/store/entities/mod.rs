//! sea-orm entities. `tenant` lives in the control plane; the others live in each tenant's own
//! schema or file and are reachable only through a [`crate::store::TenantTx`].

pub mod invitation;
pub mod outbox;
pub mod tenant;
