//! The tenant's domain events: what happened to its users, sessions, members and settings, in
//! the versioned envelope that webhooks and other consumers read, written in the same
//! transaction as the change (see `platform::events`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Type,
    Version,
    OccurredAt,
    ActorType,
    ActorId,
    SubjectType,
    SubjectId,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .if_not_exists()
                    // UUIDv7: ordering by id is ordering by time, so consumers read "after id".
                    .col(uuid(Events::Id).primary_key())
                    .col(string_len(Events::Type, 60))
                    .col(integer(Events::Version))
                    .col(timestamp_with_time_zone(Events::OccurredAt))
                    .col(string_len(Events::ActorType, 20))
                    .col(string_len_null(Events::ActorId, 64))
                    .col(string_len_null(Events::SubjectType, 20))
                    .col(string_len_null(Events::SubjectId, 64))
                    .col(text(Events::Data))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("events_occurred_at")
                    .table(Events::Table)
                    .col(Events::OccurredAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
