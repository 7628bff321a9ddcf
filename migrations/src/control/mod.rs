//! The control-plane migrator: tables shared by the whole platform (the tenant registry).

use sea_orm_migration::prelude::*;

mod m0001_tenants;

/// Migrates the control schema (PostgreSQL) or the control database file (SQLite).
#[derive(Debug)]
pub struct ControlMigrator;

impl MigratorTrait for ControlMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_tenants::Migration)]
    }
}
