//! `platform migrate`: idempotent, and it finishes a provisioning that a crash interrupted.

use chrono::Utc;
use platform::{
    migrate::migrate_all,
    store::entities::{invitation, tenant},
};
use sea_orm::{ActiveValue::Set, EntityTrait};

use crate::helpers::{Db, spawn_app};

crate::both_backends!(migrate_is_idempotent_and_resumes_interrupted_provisioning);

async fn migrate_is_idempotent_and_resumes_interrupted_provisioning(db: Db) {
    let app = spawn_app(db).await;
    for s in ["alpha", "bravo", "charlie"] {
        app.tenant(s).await;
    }
    let first = migrate_all(&app.state, false).await.expect("migrate");
    assert_eq!(
        (first.tenants, first.migrated, first.already_current),
        (3, 0, 3)
    );
    assert!(first.failed.is_empty());

    // A crash right after the registry row was written: no schema or file exists yet.
    let now = Utc::now();
    let id = uuid::Uuid::now_v7();
    tenant::Entity::insert(tenant::ActiveModel {
        id: Set(id),
        slug: Set("interrupted".into()),
        name: Set("Interrupted".into()),
        status: Set("provisioning".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(app.state.store.control())
    .await
    .expect("insert");
    assert!(
        app.state.tenants.resolve("interrupted").await.is_err(),
        "not servable yet"
    );

    let second = migrate_all(&app.state, false).await.expect("migrate");
    assert_eq!(
        (second.tenants, second.migrated, second.already_current),
        (4, 1, 3)
    );
    let scope = app
        .state
        .tenants
        .resolve("interrupted")
        .await
        .expect("now active");
    let tx = scope.begin().await.expect("begin");
    assert!(
        invitation::Entity::find()
            .all(&*tx)
            .await
            .expect("tables exist")
            .is_empty()
    );
    tx.commit().await.expect("commit");

    let third = migrate_all(&app.state, false).await.expect("migrate");
    assert_eq!((third.migrated, third.already_current), (0, 4));
    app.stop().await;
}
