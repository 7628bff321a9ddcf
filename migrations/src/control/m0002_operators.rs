//! Platform operators (support staff): their accounts with a sealed TOTP secret, sessions and
//! refresh tokens, pending login challenges, the operators' own audit log, and the platform key
//! that signs operator tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Operators {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    Status,
    TotpSealed,
    TotpLastStep,
    FailedLogins,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OperatorSessions {
    Table,
    Id,
    OperatorId,
    Ip,
    UserAgent,
    CreatedAt,
    IdleExpiresAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum OperatorRefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OperatorChallenges {
    Table,
    Id,
    TokenHash,
    OperatorId,
    Attempts,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OperatorAudit {
    Table,
    Id,
    OccurredAt,
    OperatorId,
    Action,
    TenantId,
    TargetType,
    TargetId,
    Outcome,
    Reason,
    Ip,
    UserAgent,
    RequestId,
    Details,
}

#[derive(DeriveIden)]
enum PlatformKeys {
    Table,
    Kid,
    PrivateSealed,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Operators::Table)
                    .if_not_exists()
                    .col(uuid(Operators::Id).primary_key())
                    .col(string_len(Operators::Email, 254).unique_key())
                    .col(text(Operators::PasswordHash))
                    .col(string_len(Operators::Role, 20))
                    .col(string_len(Operators::Status, 20))
                    .col(text(Operators::TotpSealed))
                    .col(big_integer_null(Operators::TotpLastStep))
                    .col(integer(Operators::FailedLogins).default(0))
                    .col(timestamp_with_time_zone(Operators::CreatedAt))
                    .col(timestamp_with_time_zone(Operators::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OperatorSessions::Table)
                    .if_not_exists()
                    .col(uuid(OperatorSessions::Id).primary_key())
                    .col(uuid(OperatorSessions::OperatorId))
                    .col(string_len_null(OperatorSessions::Ip, 64))
                    .col(string_len_null(OperatorSessions::UserAgent, 512))
                    .col(timestamp_with_time_zone(OperatorSessions::CreatedAt))
                    .col(timestamp_with_time_zone(OperatorSessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(OperatorSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OperatorSessions::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OperatorRefreshTokens::Table)
                    .if_not_exists()
                    .col(uuid(OperatorRefreshTokens::Id).primary_key())
                    .col(uuid(OperatorRefreshTokens::SessionId))
                    .col(string_len(OperatorRefreshTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(OperatorRefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(OperatorRefreshTokens::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OperatorChallenges::Table)
                    .if_not_exists()
                    .col(uuid(OperatorChallenges::Id).primary_key())
                    .col(string_len(OperatorChallenges::TokenHash, 64).unique_key())
                    .col(uuid(OperatorChallenges::OperatorId))
                    .col(integer(OperatorChallenges::Attempts).default(0))
                    .col(timestamp_with_time_zone(OperatorChallenges::ExpiresAt))
                    .col(timestamp_with_time_zone(OperatorChallenges::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OperatorAudit::Table)
                    .if_not_exists()
                    .col(uuid(OperatorAudit::Id).primary_key())
                    .col(timestamp_with_time_zone(OperatorAudit::OccurredAt))
                    .col(uuid_null(OperatorAudit::OperatorId))
                    .col(string_len(OperatorAudit::Action, 64))
                    .col(uuid_null(OperatorAudit::TenantId))
                    .col(string_len_null(OperatorAudit::TargetType, 40))
                    .col(string_len_null(OperatorAudit::TargetId, 64))
                    .col(string_len(OperatorAudit::Outcome, 10))
                    .col(string_len_null(OperatorAudit::Reason, 500))
                    .col(string_len_null(OperatorAudit::Ip, 64))
                    .col(string_len_null(OperatorAudit::UserAgent, 512))
                    .col(string_len_null(OperatorAudit::RequestId, 64))
                    .col(text_null(OperatorAudit::Details))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlatformKeys::Table)
                    .if_not_exists()
                    .col(string_len(PlatformKeys::Kid, 64).primary_key())
                    .col(text(PlatformKeys::PrivateSealed))
                    .col(timestamp_with_time_zone(PlatformKeys::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "platform_keys",
            "operator_audit",
            "operator_challenges",
            "operator_refresh_tokens",
            "operator_sessions",
            "operators",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
