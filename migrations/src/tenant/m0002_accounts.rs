//! Accounts and tokens: users, sessions, refresh tokens, emailed codes, reset tokens, the tenant's
//! signing keys and its audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Status,
    Role,
    EmailVerifiedAt,
    FailedLogins,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    Amr,
    Ip,
    UserAgent,
    CreatedAt,
    LastSeenAt,
    IdleExpiresAt,
    ExpiresAt,
    RevokedAt,
    RevokeReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum EmailCodes {
    Table,
    Id,
    Purpose,
    Email,
    CodeHash,
    Attempts,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ResetTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    PrivateSealed,
    PublicKey,
    Status,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorType,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Outcome,
    Ip,
    UserAgent,
    RequestId,
    Details,
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).if_not_exists();
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(uuid(Users::Id).primary_key())
                    .col(string_len(Users::Email, 254).unique_key())
                    .col(text_null(Users::PasswordHash))
                    .col(string_len(Users::Status, 20))
                    .col(string_len(Users::Role, 40))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(integer(Users::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(Users::LockedUntil))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(text(Sessions::Amr))
                    .col(string_len_null(Sessions::Ip, 64))
                    .col(string_len_null(Sessions::UserAgent, 512))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .col(string_len_null(Sessions::RevokeReason, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sessions_user", Sessions::Table, &["user_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .if_not_exists()
                    .col(uuid(RefreshTokens::Id).primary_key())
                    .col(uuid(RefreshTokens::SessionId))
                    .col(string_len(RefreshTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "refresh_tokens_session",
                RefreshTokens::Table,
                &["session_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailCodes::Table)
                    .if_not_exists()
                    .col(uuid(EmailCodes::Id).primary_key())
                    .col(string_len(EmailCodes::Purpose, 20))
                    .col(string_len(EmailCodes::Email, 254))
                    .col(string_len(EmailCodes::CodeHash, 64))
                    .col(integer(EmailCodes::Attempts).default(0))
                    .col(timestamp_with_time_zone(EmailCodes::ExpiresAt))
                    .col(timestamp_with_time_zone(EmailCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "email_codes_lookup",
                EmailCodes::Table,
                &["email", "purpose"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResetTokens::Table)
                    .if_not_exists()
                    .col(uuid(ResetTokens::Id).primary_key())
                    .col(uuid(ResetTokens::UserId))
                    .col(string_len(ResetTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(ResetTokens::ExpiresAt))
                    .col(timestamp_with_time_zone(ResetTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ResetTokens::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .if_not_exists()
                    .col(string_len(SigningKeys::Kid, 64).primary_key())
                    .col(text(SigningKeys::PrivateSealed))
                    .col(string_len(SigningKeys::PublicKey, 64))
                    .col(string_len(SigningKeys::Status, 20))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .if_not_exists()
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(string_len(AuditEvents::ActorType, 20))
                    .col(string_len_null(AuditEvents::ActorId, 64))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len_null(AuditEvents::TargetType, 40))
                    .col(string_len_null(AuditEvents::TargetId, 64))
                    .col(string_len(AuditEvents::Outcome, 20))
                    .col(string_len_null(AuditEvents::Ip, 64))
                    .col(string_len_null(AuditEvents::UserAgent, 512))
                    .col(string_len_null(AuditEvents::RequestId, 64))
                    .col(text_null(AuditEvents::Details))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "audit_events_time",
                AuditEvents::Table,
                &["occurred_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            SigningKeys::Table.into_iden(),
            ResetTokens::Table.into_iden(),
            EmailCodes::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
