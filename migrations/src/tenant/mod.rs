//! The tenant migrator: every table that holds one tenant's data, applied to each tenant on its own.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

mod m0001_core;
mod m0002_accounts;
mod m0003_user_name;
mod m0004_code_password;
mod m0005_mfa;
mod m0006_audit_chain;
mod m0007_hardening;
mod m0008_events;

/// Whether the tenant's `table` has `column`. On PostgreSQL this asks the catalog by index
/// (`information_schema.columns`, which sea-orm's `has_column` reads, scans every schema's columns:
/// with 10,000 tenants it made each provisioning take a tenth of a second, growing with each one).
pub(crate) async fn has_column(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
) -> Result<bool, DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return manager.has_column(table, column).await;
    }
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = $1 \
             AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped) AS found",
            [table.into(), column.into()],
        ))
        .await?;
    match row {
        Some(r) => r.try_get("", "found"),
        None => Ok(false),
    }
}

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
            Box::new(m0007_hardening::Migration),
            Box::new(m0008_events::Migration),
        ]
    }
}
