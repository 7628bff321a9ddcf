//! A verification code carries the password hash of the registration that asked for it, so
//! only the registration whose code is entered sets the account's password.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailCodes {
    Table,
    PasswordHash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if super::has_column(manager, "email_codes", "password_hash").await? {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(EmailCodes::Table)
                    .add_column(text_null(EmailCodes::PasswordHash))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailCodes::Table)
                    .drop_column(EmailCodes::PasswordHash)
                    .to_owned(),
            )
            .await
    }
}
