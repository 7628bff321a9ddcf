//! The operators' audit log becomes a hash chain, like each tenant's: a sequence number, the
//! previous entry's hash and the entry's own.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OperatorAudit {
    Table,
    Seq,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (name, col) in [
            ("seq", big_integer_null(OperatorAudit::Seq)),
            ("prev_hash", string_len_null(OperatorAudit::PrevHash, 64)),
            ("hash", string_len_null(OperatorAudit::Hash, 64)),
        ] {
            if !crate::tenant::has_column(manager, "operator_audit", name).await? {
                let mut col = col;
                manager
                    .alter_table(
                        Table::alter()
                            .table(OperatorAudit::Table)
                            .add_column(&mut col)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name("operator_audit_seq")
                    .table(OperatorAudit::Table)
                    .col(OperatorAudit::Seq)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("operator_audit_seq")
                    .table(OperatorAudit::Table)
                    .to_owned(),
            )
            .await?;
        for col in [
            OperatorAudit::Seq,
            OperatorAudit::PrevHash,
            OperatorAudit::Hash,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OperatorAudit::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
