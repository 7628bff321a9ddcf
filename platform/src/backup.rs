//! Per-tenant backup and restore: `platform tenant export SLUG --to DIR` writes the tenant's
//! registry entry (`manifest.json`) and a consistent copy of its data made while it serves (a
//! `pg_dump` of its schema, or its SQLite file through `VACUUM INTO`); `platform tenant import
//! SLUG --from DIR` brings it back under the same id, then migrates it to the current version.

use std::path::Path;

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tenants::{Tenant, TenantStatus};
use crate::{config::Backend, domain::TenantSlug};

/// The manifest's format; bumped when the layout changes.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";

/// What a backup holds besides the data: enough to register the tenant again.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// `sqlite` or `postgres`: a backup restores onto the same backend.
    pub backend: String,
    /// The data file in the backup directory.
    pub data: String,
    pub created_at: DateTime<Utc>,
    pub exported_at: DateTime<Utc>,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// What exporting and importing tenants use: the tenants, the store, their signing keys (to
/// check a backup's sealed keys), the master key (to re-sign old checkpoints) and the database
/// URL (for `pg_dump`/`pg_restore`).
#[derive(Clone)]
pub struct Backups {
    pub tenants: crate::tenants::Tenants,
    pub store: crate::store::Store,
    pub keys: crate::tokens::Keys,
    pub master_key: crate::masterkey::MasterKey,
    pub database_url: Option<secrecy::SecretString>,
}

fn database_url(b: &Backups) -> String {
    b.database_url
        .as_ref()
        .map(|u| u.expose_secret().to_owned())
        .unwrap_or_default()
}

/// Exports tenant `slug` into directory `to` (created; it must be empty if it exists).
pub async fn export(b: &Backups, slug: &str, to: &Path) -> anyhow::Result<Manifest> {
    let t = b.tenants.get(slug).await?;
    ensure!(
        matches!(t.status, TenantStatus::Active | TenantStatus::Suspended),
        "tenant {} is still being provisioned",
        t.slug
    );
    if to.exists() {
        let mut entries =
            std::fs::read_dir(to).with_context(|| format!("reading {}", to.display()))?;
        ensure!(
            entries.next().is_none(),
            "{} is not empty: export into a new directory",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let backend = b.store.backend();
    let data = match backend {
        Backend::Sqlite => "tenant.db",
        Backend::Postgres => "tenant.pgdump",
    };
    b.store
        .dump_tenant(t.id, &to.join(data), &database_url(b))
        .await?;
    let manifest = Manifest {
        format: FORMAT,
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
        backend: backend_name(backend).into(),
        data: data.into(),
        created_at: t.created_at,
        exported_at: Utc::now(),
    };
    write_durably(&to.join(MANIFEST), &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Writes `bytes` to `path` and syncs it: the manifest is written last, so a directory with
/// a manifest holds a whole backup.
fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Reads and checks the manifest of the backup in `from`.
pub fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join(MANIFEST);
    let raw = std::fs::read(&path).with_context(|| {
        format!(
            "reading {}: is this a directory written by `platform tenant export`?",
            path.display()
        )
    })?;
    let m: Manifest =
        serde_json::from_slice(&raw).with_context(|| format!("parsing {}", path.display()))?;
    ensure!(
        m.format == FORMAT,
        "backup format {} is not supported (this platform reads {FORMAT})",
        m.format
    );
    ensure!(
        !m.data.contains('/') && !m.data.contains("..") && from.join(&m.data).is_file(),
        "the backup's data file {:?} is missing",
        m.data
    );
    Ok(m)
}

/// Restores the backup in `from` as tenant `slug`, under the id it had. A backup is untrusted
/// input: it is inspected and rebuilt in a staging place first (see [`crate::store::Staged`]),
/// and nothing existing changes until it is whole. The backup's id may only be the named
/// slug's own or unused: an id of another tenant is refused before anything happens. With
/// `replace`, the named tenant (and only it) is replaced once the backup is staged.
pub async fn import(
    b: &Backups,
    slug: &TenantSlug,
    from: &Path,
    replace: bool,
) -> anyhow::Result<Tenant> {
    let m = read_manifest(from)?;
    ensure!(
        m.slug == slug.as_str(),
        "the backup in {} is of tenant {:?}, not {:?}",
        from.display(),
        m.slug,
        slug.as_str()
    );
    let here = backend_name(b.store.backend());
    ensure!(
        m.backend == here,
        "the backup was taken on {}; this platform runs on {here}",
        m.backend
    );
    let by_id = b.tenants.find(&m.id.to_string()).await?;
    if let Some(other) = by_id.as_ref().filter(|t| t.slug != slug.as_str()) {
        bail!(
            "the backup's id {} belongs to tenant {}, not {}: refused, nothing was changed",
            m.id,
            other.slug,
            slug.as_str()
        );
    }
    let existing = b.tenants.find(slug.as_str()).await?;
    if existing.is_some() && !replace {
        bail!(
            "tenant {} exists: delete it first, or pass --replace to overwrite it with the backup",
            slug.as_str()
        );
    }
    let staged = b
        .store
        .stage_restore(m.id, &from.join(&m.data))
        .await
        .with_context(|| format!("checking the backup in {}", from.display()))?;
    // The signing keys are sealed under the master key: a backup from a platform with another
    // key restores data nobody can sign for.
    let keys = async {
        let rows = b.store.staged_signing_keys(&staged).await?;
        b.keys.check_sealed(m.id, &rows)?;
        anyhow::Ok(())
    };
    if let Err(e) = keys.await {
        b.store.discard(staged).await;
        return Err(e.context(
            "opening the backup's signing keys (is the master key the one the backup was taken under?)",
        ));
    }
    // From here on the backup is whole and checked: only now does anything existing change,
    // in one step that loses nothing if it fails.
    let resign = staged
        .applied()
        .iter()
        .any(|m| m == crate::audit::chain::CHECKPOINT_BINDING_MIGRATION);
    let now = Utc::now();
    let registry = crate::store::entities::tenant::Model {
        id: m.id,
        slug: slug.as_str().to_owned(),
        name: m.name.clone(),
        status: TenantStatus::Active.as_str().into(),
        created_at: m.created_at,
        updated_at: now,
    };
    b.store
        .install_restored(staged, existing.as_ref().map(|t| t.id), registry)
        .await
        .with_context(|| format!("restoring tenant {}", slug.as_str()))?;
    let t = b.tenants.get(&m.id.to_string()).await?;
    // A backup from before checkpoints were bound to their tenant: bind them, as an upgrade
    // does for tenants in place.
    if resign {
        crate::audit::chain::resign_tenant(&b.tenants.scope(&t), b.master_key.bytes()).await?;
    }
    Ok(t.as_ref().clone())
}
