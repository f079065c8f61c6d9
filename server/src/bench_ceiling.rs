//! The benchmark's ceiling: a bare axum route that performs one INSERT on the same
//! database, so `bench/api.sh` can compare ticket creation through the API with the
//! cheapest possible write. Mounted only with `TCRM_BENCH_CEILING=1`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tcrm_app::on_pool;
use tcrm_app::state::AppState;
use tcrm_app::store::{Backend, Db};

/// Whether this process serves the ceiling route.
pub fn enabled() -> bool {
    std::env::var("TCRM_BENCH_CEILING").is_ok_and(|value| value == "1")
}

/// Creates the scratch table the ceiling writes to.
pub async fn prepare(db: &Db) -> anyhow::Result<()> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
        }
    };
    on_pool!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ()))?;
    Ok(())
}

async fn insert(State(state): State<AppState>, body: Bytes) -> StatusCode {
    let text = String::from_utf8_lossy(&body).into_owned();
    let result = on_pool!(&state.db, |pool| sqlx::query(
        "INSERT INTO bench_ceiling (body, created_at) VALUES ($1, $2)"
    )
    .bind(text)
    .bind(chrono::Utc::now())
    .execute(pool)
    .await
    .map(|_| ()));
    match result {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `POST /bench/ceiling`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/bench/ceiling", post(insert))
        .with_state(state)
}
