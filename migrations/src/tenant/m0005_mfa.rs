//! Two-factor authentication: each user's TOTP secret (sealed) and the last step it accepted,
//! hashed backup codes, pending login challenges, and a `users.mfa_enabled` flag that the
//! login path reads without a join.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    MfaEnabled,
}

#[derive(DeriveIden)]
enum MfaTotp {
    Table,
    UserId,
    SecretSealed,
    ConfirmedAt,
    LastUsedStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MfaBackupCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MfaChallenges {
    Table,
    Id,
    TokenHash,
    UserId,
    Amr,
    Methods,
    Cookie,
    Attempts,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !super::has_column(manager, "users", "mfa_enabled").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(boolean(Users::MfaEnabled).default(false))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(MfaTotp::Table)
                    .if_not_exists()
                    .col(uuid(MfaTotp::UserId).primary_key())
                    .col(text(MfaTotp::SecretSealed))
                    .col(timestamp_with_time_zone_null(MfaTotp::ConfirmedAt))
                    .col(big_integer_null(MfaTotp::LastUsedStep))
                    .col(timestamp_with_time_zone(MfaTotp::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaBackupCodes::Table)
                    .if_not_exists()
                    .col(uuid(MfaBackupCodes::Id).primary_key())
                    .col(uuid(MfaBackupCodes::UserId))
                    .col(string_len(MfaBackupCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(MfaBackupCodes::UsedAt))
                    .col(timestamp_with_time_zone(MfaBackupCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mfa_backup_codes_user")
                    .table(MfaBackupCodes::Table)
                    .col(MfaBackupCodes::UserId)
                    .col(MfaBackupCodes::CodeHash)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaChallenges::Table)
                    .if_not_exists()
                    .col(uuid(MfaChallenges::Id).primary_key())
                    .col(string_len(MfaChallenges::TokenHash, 64).unique_key())
                    .col(uuid(MfaChallenges::UserId))
                    .col(text(MfaChallenges::Amr))
                    .col(text(MfaChallenges::Methods))
                    .col(boolean(MfaChallenges::Cookie).default(false))
                    .col(integer(MfaChallenges::Attempts).default(0))
                    .col(timestamp_with_time_zone(MfaChallenges::ExpiresAt))
                    .col(timestamp_with_time_zone(MfaChallenges::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mfa_challenges_user")
                    .table(MfaChallenges::Table)
                    .col(MfaChallenges::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["mfa_challenges", "mfa_backup_codes", "mfa_totp"] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::MfaEnabled)
                    .to_owned(),
            )
            .await
    }
}
