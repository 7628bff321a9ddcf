//! An index that serves prefix searches of members' email addresses (the operators' customer
//! search): on PostgreSQL the unique index uses the database's collation, which `LIKE 'abc%'`
//! cannot use, so a `text_pattern_ops` index is added. SQLite's `GLOB 'abc*'` uses the unique
//! index as it is.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS users_email_prefix ON users (email text_pattern_ops)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS users_email_prefix")
                .await?;
        }
        Ok(())
    }
}
