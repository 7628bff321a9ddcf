//! `platform migrate`: brings every tenant to the latest migration, in parallel with a bound.
//! Each tenant migrates in its own transaction, so a crash leaves every tenant at a consistent
//! version and a rerun resumes where it stopped; tenants already current are skipped.

use std::io::IsTerminal;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::{
    app::AppState,
    tenants::{Tenant, TenantStatus},
};

/// What a migration run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub tenants: usize,
    pub migrated: usize,
    pub already_current: usize,
    /// `(slug, error)` of each tenant that failed.
    pub failed: Vec<(String, String)>,
}

enum Outcome {
    Migrated,
    Current,
    Failed(String, String),
}

/// Migrates every tenant (the control plane is migrated when the store opens).
pub async fn migrate_all(state: &AppState, show_progress: bool) -> anyhow::Result<Summary> {
    let tenants = state.tenants.list().await?;
    let bar = if show_progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(tenants.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} tenants {elapsed_precise} {msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut summary = Summary {
        tenants: tenants.len(),
        ..Summary::default()
    };
    let mut results = futures::stream::iter(tenants)
        .map(|t| migrate_one(state, t))
        .buffer_unordered(state.config.migrate_concurrency);
    while let Some(outcome) = results.next().await {
        bar.inc(1);
        match outcome {
            Outcome::Migrated => summary.migrated += 1,
            Outcome::Current => summary.already_current += 1,
            Outcome::Failed(slug, error) => {
                bar.println(format!("{slug}: {error}"));
                summary.failed.push((slug, error));
            }
        }
    }
    bar.finish_and_clear();
    Ok(summary)
}

async fn migrate_one(state: &AppState, t: Tenant) -> Outcome {
    let result = async {
        let pending = state.store.tenant_pending_migrations(t.id).await?;
        if pending == 0 && t.status != TenantStatus::Provisioning {
            return Ok(false);
        }
        let applied = state.store.migrate_tenant(t.id).await?;
        if applied
            .iter()
            .any(|m| m == crate::audit::chain::CHECKPOINT_BINDING_MIGRATION)
        {
            crate::audit::chain::resign_tenant(&state.tenants.scope(&t), state.master_key.bytes())
                .await?;
        }
        if t.status == TenantStatus::Provisioning {
            state.tenants.mark_provisioned(t.id).await?;
        }
        anyhow::Ok(true)
    }
    .await;
    match result {
        Ok(true) => Outcome::Migrated,
        Ok(false) => Outcome::Current,
        Err(e) => {
            tracing::error!(tenant = %t.slug, error = format!("{e:#}"), "tenant migration failed");
            Outcome::Failed(t.slug, format!("{e:#}"))
        }
    }
}
