//! sea-orm migrations: [`ControlMigrator`] for the control plane and [`TenantMigrator`] for every tenant.
//!
//! Tenant migrations run once per tenant schema (PostgreSQL) or tenant file (SQLite), so tenants
//! can sit at different versions during a rollout. The rule that follows: never change a column's
//! type in place — add a column, backfill, switch readers, then drop the old one in a later release.

mod control;
mod tenant;

pub use control::ControlMigrator;
pub use sea_orm_migration::MigratorTrait;
pub use tenant::TenantMigrator;
