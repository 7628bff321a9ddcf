//! What the security hardening needs: a pending account's registration state (the password
//! its registrations chose, and whether they disagreed), and two indexes. One serves prefix
//! searches of members' email addresses (the operators'
//! customer search): on PostgreSQL the unique index uses the database's collation, which
//! `LIKE 'abc%'` cannot use, so a `text_pattern_ops` index is added (SQLite's `GLOB 'abc*'`
//! uses the unique index as it is). The other finds the mail recently queued to an address
//! (the cooldown of "account exists" notices).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    PendingPasswordHash,
    RegistrationContested,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (name, col) in [
            (
                "pending_password_hash",
                text_null(Users::PendingPasswordHash),
            ),
            (
                "registration_contested",
                boolean(Users::RegistrationContested)
                    .default(false)
                    .to_owned(),
            ),
        ] {
            if !super::has_column(manager, "users", name).await? {
                let mut col = col;
                manager
                    .alter_table(
                        Table::alter()
                            .table(Users::Table)
                            .add_column(&mut col)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name("mail_outbox_recipient")
                    .table(Alias::new("mail_outbox"))
                    .col(Alias::new("recipient"))
                    .col(Alias::new("created_at"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
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
        for col in [Users::PendingPasswordHash, Users::RegistrationContested] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("mail_outbox_recipient")
                    .table(Alias::new("mail_outbox"))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS users_email_prefix")
                .await?;
        }
        Ok(())
    }
}
