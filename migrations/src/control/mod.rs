//! The control-plane migrator: tables shared by the whole platform (the tenant registry,
//! operators and their audit chain).

use sea_orm_migration::prelude::*;

mod m0001_tenants;
mod m0002_operators;
mod m0003_operator_audit_chain;

/// Migrates the control schema (PostgreSQL) or the control database file (SQLite).
#[derive(Debug)]
pub struct ControlMigrator;

impl MigratorTrait for ControlMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_tenants::Migration),
            Box::new(m0002_operators::Migration),
            Box::new(m0003_operator_audit_chain::Migration),
        ]
    }
}
