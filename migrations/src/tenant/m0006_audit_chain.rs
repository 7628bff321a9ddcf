//! The audit log becomes a hash chain (a sequence number, the previous event's hash and the
//! event's own), with signed checkpoints that anchor it when retention prunes old events;
//! invitations remember who sent them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    Seq,
    Hash,
    Pruned,
    PrunedBefore,
    Signature,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    InvitedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (name, col) in [
            ("seq", big_integer_null(AuditEvents::Seq)),
            ("prev_hash", string_len_null(AuditEvents::PrevHash, 64)),
            ("hash", string_len_null(AuditEvents::Hash, 64)),
        ] {
            if !super::has_column(manager, "audit_events", name).await? {
                let mut col = col;
                manager
                    .alter_table(
                        Table::alter()
                            .table(AuditEvents::Table)
                            .add_column(&mut col)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name("audit_events_seq")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::Seq)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoints::Table)
                    .if_not_exists()
                    .col(uuid(AuditCheckpoints::Id).primary_key())
                    .col(big_integer(AuditCheckpoints::Seq))
                    .col(string_len(AuditCheckpoints::Hash, 64))
                    .col(big_integer(AuditCheckpoints::Pruned))
                    .col(timestamp_with_time_zone(AuditCheckpoints::PrunedBefore))
                    .col(string_len(AuditCheckpoints::Signature, 64))
                    .col(timestamp_with_time_zone(AuditCheckpoints::CreatedAt))
                    .to_owned(),
            )
            .await?;
        if !super::has_column(manager, "invitations", "invited_by").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Invitations::Table)
                        .add_column(uuid_null(Invitations::InvitedBy))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AuditCheckpoints::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("audit_events_seq")
                    .table(AuditEvents::Table)
                    .to_owned(),
            )
            .await?;
        for col in [AuditEvents::Seq, AuditEvents::PrevHash, AuditEvents::Hash] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditEvents::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Invitations::Table)
                    .drop_column(Invitations::InvitedBy)
                    .to_owned(),
            )
            .await
    }
}
