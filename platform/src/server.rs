//! `platform serve`: migrations, the mail sender, and the HTTP server with graceful shutdown.

use std::{future::Future, time::Duration};

use anyhow::Context;
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpListener},
};

use crate::{app::AppState, http, mail::sender::Sender, migrate};

/// Raises the open-file limit: every open SQLite tenant pool holds file handles.
pub fn raise_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!(limit = n, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
    }
}

/// Binds the configured address and serves until SIGTERM or Ctrl-C.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let addr = state.config.listen;
    let acceptor = TcpListener::bind(addr)
        .into_acceptor()
        .await
        .with_context(|| format!("listening on {addr}"))?;
    serve_with(state, acceptor, shutdown_signal()).await
}

/// Serves on an already bound acceptor until `shutdown` completes (tests pass their own).
pub async fn serve_with<A: Acceptor + 'static>(
    state: AppState,
    acceptor: A,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    raise_file_limit();
    if state.config.auto_migrate {
        let summary = migrate::migrate_all(&state, false).await?;
        if !summary.failed.is_empty() {
            // One broken tenant must not take every other tenant down: serve, and say so loudly.
            let slugs: Vec<&str> = summary.failed.iter().map(|(s, _)| s.as_str()).collect();
            tracing::error!(
                tenants = ?slugs,
                "tenant migrations failed; those tenants may fail until `platform migrate` succeeds"
            );
        }
    }
    let sender = Sender::new(
        &state.config,
        state.tenants.clone(),
        Some(state.metrics.clone()),
    )?;
    let outbox = tokio::spawn(sender.run(
        state.store.outbox_signal().clone(),
        state.config.outbox_sweep(),
    ));
    let cache_sync = state
        .store
        .pg_pool()
        .map(|pool| tokio::spawn(crate::cache_sync::listen(state.clone(), pool)));
    let for_housekeeping = state.clone();
    let housekeeping = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        let mut minutes = 0u64;
        loop {
            tick.tick().await;
            crate::throttle::housekeeping(&for_housekeeping.accounts.throttle);
            // Hourly, starting a minute after start-up.
            if minutes % 60 == 1 {
                prune_tenants(&for_housekeeping).await;
            }
            minutes += 1;
        }
    });
    if state.config.metrics_listen.is_none()
        && state.config.metrics_token.is_none()
        && !state.config.listen.ip().is_loopback()
    {
        tracing::warn!(
            "/metrics is public on {}: set metrics_listen (an address of its own) or metrics_token",
            state.config.listen
        );
    }
    let metrics = match state.config.metrics_listen {
        Some(addr) => {
            let acceptor = TcpListener::bind(addr)
                .into_acceptor()
                .await
                .with_context(|| format!("listening on {addr} for /metrics"))?;
            let app = http::metrics_app(state.clone());
            tracing::info!(listen = %addr, "serving /metrics");
            Some(tokio::spawn(async move {
                if let Err(e) = Server::new_with_acceptor(acceptor).run(app).await {
                    tracing::error!(error = %e, "the /metrics listener stopped");
                }
            }))
        }
        None => None,
    };
    let local = acceptor
        .local_addr()
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    tracing::info!(listen = %local, backend = ?state.store.backend(), "serving");
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let idle = Duration::from_secs(state.config.header_timeout_secs);
    let store = state.store.clone();
    let acceptor = http::slow_clients::ReadTimeout {
        inner: acceptor,
        timeout: idle,
    };
    let result = Server::new_with_acceptor(acceptor)
        .idle_timeout(idle)
        .run_with_graceful_shutdown(http::app(state), shutdown, Some(grace))
        .await;
    outbox.abort();
    housekeeping.abort();
    if let Some(task) = metrics {
        task.abort();
    }
    if let Some(task) = cache_sync {
        task.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    result.context("serving HTTP")
}

/// Applies every tenant's audit retention setting (see [`crate::audit::retention`]) and drops
/// domain events older than [`crate::events::RETENTION_DAYS`].
pub async fn prune_tenants(state: &AppState) {
    let events_before = chrono::Utc::now() - chrono::Duration::days(crate::events::RETENTION_DAYS);
    let tenants = match state.tenants.list().await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "audit retention: could not list tenants");
            return;
        }
    };
    for t in tenants.iter().filter(|t| {
        matches!(
            t.status,
            crate::tenants::TenantStatus::Active | crate::tenants::TenantStatus::Suspended
        )
    }) {
        let scope = state.tenants.scope(t);
        let run = async {
            let tx = scope.read().await?;
            let days = crate::settings::TenantSettings::load(&tx)
                .await?
                .audit_retention_days;
            tx.commit().await?;
            let Some(days) = days else { return Ok(0) };
            let Some(before) = chrono::Duration::try_days(i64::from(days.clamp(1, 36_500)))
                .and_then(|d| chrono::Utc::now().checked_sub_signed(d))
            else {
                return Ok(0);
            };
            crate::audit::retention::prune(&scope, state.master_key.bytes(), before).await
        };
        match run.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tenant = %t.slug, events = n, "audit retention pruned events"),
            Err(e) => tracing::warn!(tenant = %t.slug, error = %e, "audit retention failed"),
        }
        match crate::events::prune(&scope, events_before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tenant = %t.slug, events = n, "old domain events pruned"),
            Err(e) => tracing::warn!(tenant = %t.slug, error = %e, "pruning domain events failed"),
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
