//! The tenant migrator: every table that holds one tenant's data, applied to each tenant on its own.

use sea_orm_migration::prelude::*;

mod m0001_core;
mod m0002_accounts;
mod m0003_user_name;
mod m0004_code_password;
mod m0005_mfa;
mod m0006_audit_chain;

/// Migrates one tenant's schema (PostgreSQL, with `search_path` set to it for the transaction)
/// or one tenant's database file (SQLite).
#[derive(Debug)]
pub struct TenantMigrator;

impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_core::Migration),
            Box::new(m0002_accounts::Migration),
            Box::new(m0003_user_name::Migration),
            Box::new(m0004_code_password::Migration),
            Box::new(m0005_mfa::Migration),
            Box::new(m0006_audit_chain::Migration),
        ]
    }
}
