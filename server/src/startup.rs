//! Builds the application from configuration and serves it on a bound listener.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router, middleware};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tcrm_app::state::AppState;
use tcrm_app::store::Db;
use tcrm_app::store::sessions::SessionBackend;
use tcrm_app::{App, shell};
use tokio::net::TcpListener;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;

fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tcrm")
        .site_root("public")
        .build()
}

/// Opens and migrates the database (with the session table) and builds the shared state.
pub async fn prepare(config: &Config) -> anyhow::Result<AppState> {
    let tuning = tcrm_app::store::PoolTuning {
        connections: config.db_connections,
        ..Default::default()
    };
    let db = Db::connect_with(&config.database_url, tuning).await?;
    db.migrate().await?;
    Ok(AppState::new(tcrm_app::state::SharedState {
        db,
        leptos_options: leptos_options(),
        secure_cookies: config.secure_cookies,
        attachments_dir: config.data_dir.join("attachments"),
        api_document: std::sync::Arc::new(crate::api::openapi::document_json()),
        secret_key: tcrm_app::secrets::SecretKey::load(&config.data_dir)?,
        reference: Default::default(),
        signed_in: Default::default(),
        assignable_staff: Default::default(),
    }))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let backend = state.db.backend().to_string();
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ok", "database": backend })),
        ),
        Err(error) => {
            tracing::error!(?error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}

/// The whole HTTP surface: pages, server functions, assets, health.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let provide_state = move || provide_context(context_state.clone());
    let options = state.leptos_options.clone();
    let fallback = leptos_axum::render_app_async_with_context(provide_state.clone(), move || {
        shell(options.clone())
    });
    let shell_options = state.leptos_options.clone();

    let sessions =
        SessionManagerLayer::new(SessionBackend::new(&state.db, state.signed_in.clone()))
            .with_name("tcrm_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(state.secure_cookies)
            .with_expiry(Expiry::OnInactivity(tcrm_app::auth::SESSION_IDLE));

    Router::new()
        .leptos_routes_with_context(&state, routes, provide_state, move || shell(shell_options.clone()))
        .route("/healthz", get(healthz))
        .route("/tickets/export.csv", get(tcrm_app::export::export_tickets_csv))
        .route("/tickets/export.xlsx", get(tcrm_app::export::export_tickets_xlsx))
        .route(
            "/tickets/{id}/attachments",
            axum::routing::post(tcrm_app::attachments::upload)
                .layer(axum::extract::DefaultBodyLimit::max(tcrm_app::attachments::MAX_BYTES + 64 * 1024)),
        )
        .route("/attachments/{id}", get(tcrm_app::attachments::download))
        .route("/assets/tcrm.css", get(crate::assets::stylesheet))
        .route("/favicon.svg", get(crate::assets::favicon))
        .route("/assets/charts.js", get(crate::assets::charts))
        .route("/assets/echarts.min.js", get(crate::assets::echarts))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(state.clone(), tcrm_app::request::identify))
        .layer(sessions)
        .layer(middleware::from_fn(crate::security::refuse_cross_origin))
        // The token API sits outside the portal's session and page middleware.
        .merge(crate::api::router(&state))
        .layer(middleware::from_fn(crate::security::security_headers))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                // The path only: query strings may carry search terms about customers.
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing open requests");
}

/// How often PostgreSQL's pending ticket-count changes are folded into the kept
/// counts (readers add the pending ones, so this bounds their number, not the
/// counts' freshness).
const COUNT_FOLD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// How often PostgreSQL's pending word-index entries are merged into the index.
///
/// Each merge competes with the ticket creations for the database's cores, and
/// most groups of creations that took over 12 ms ran beside one. Smaller,
/// more frequent merges hold each up for less: at 64 API clients a merge
/// took ~45 ms every 500 ms, ~23 ms every 250 ms, ~9 ms every 100 ms, with
/// the API's p99 at 19.3–20.4, 18.5–18.9 and 16.8–18.1 ms.
const WORD_ENTRY_MERGE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// Periodic housekeeping: expired sessions, pending ticket-count changes and
/// word-index entries.
pub fn spawn_housekeeping(state: &AppState) {
    // Only PostgreSQL keeps count changes and word entries apart (SQLite
    // updates both in place).
    if let tcrm_app::store::Db::Postgres(_) = &state.db {
        let db = state.db.clone();
        spawn_every(
            COUNT_FOLD_INTERVAL,
            "folding ticket count changes",
            move || {
                let db = db.clone();
                async move { db.fold_ticket_count_changes().await }
            },
        );
        let db = state.db.clone();
        spawn_every(
            WORD_ENTRY_MERGE_INTERVAL,
            "merging pending word-index entries",
            move || {
                let db = db.clone();
                async move { db.merge_pending_word_entries().await }
            },
        );
    }
    use tower_sessions::session_store::ExpiredDeletion;
    let sessions = SessionBackend::new(&state.db, state.signed_in.clone());
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "deleting expired sessions");
            }
        }
    });
}

/// Runs `job` every `interval` in a task of its own. A failure is logged once
/// while it keeps failing, not at every tick.
fn spawn_every<F, Fut>(interval: std::time::Duration, what: &'static str, mut job: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = tcrm_app::store::StoreResult<()>> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            ticks.tick().await;
            match job().await {
                Ok(()) => failing = false,
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(%error, "{what}");
                }
                Err(_) => {}
            }
        }
    });
}
