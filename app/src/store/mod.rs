//! The data-access layer: every SQL statement of TCRM lives under this module.
//!
//! One set of SQL where SQLite and PostgreSQL agree (`$N` placeholders,
//! `RETURNING`, `ON CONFLICT`), explicit per-backend branches where they do
//! not. Rows decode into the same `FromRow` structs on both backends; each
//! query is compiled once per backend by the [`on_pool!`] macro.

pub mod api_accounts;
pub mod demo;
pub mod login_throttle;
pub mod notifications;
pub mod outbox;
mod pg_writer;
mod plain_create;
pub mod reading_schedules;
pub mod reference;
pub mod sessions;
mod sqlite_rebuild;
mod sqlite_writer;
pub mod tickets;
pub mod users;
mod write_groups;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A pool over whichever backend this instance runs on.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression on whichever pool is live, binding it to `$pool`.
/// The body is compiled once per backend, so rows decode into real types on both.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// How [`Db::connect_with`] sizes and checks its pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolTuning {
    /// PostgreSQL connections in the pool, instead of the default: two per
    /// core of this machine, at least four. A query is CPU work on the database
    /// server, so more connections than it has cores only make them take turns:
    /// at 32 concurrent page views on 2 cores, 4 connections answered the list's
    /// p99 in 24 ms, 32 connections in 45 ms. Size it to the database server's
    /// cores when PostgreSQL runs elsewhere.
    pub connections: Option<u32>,
    /// A PostgreSQL connection idle for longer is pinged before it is handed
    /// out: one a server restart could have cut while nobody used it. One
    /// second by default.
    pub ping_if_idle_for: Duration,
}

impl Default for PoolTuning {
    fn default() -> PoolTuning {
        PoolTuning {
            connections: None,
            ping_if_idle_for: Duration::from_secs(1),
        }
    }
}

/// The backend a [`Db`] talks to, for logs and the health check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        })
    }
}

/// What went wrong in the store, converted once from the driver's error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    /// A unique constraint refused the write; carries the constraint's name when known.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// The row changed under us (a concurrent update won).
    #[error("concurrent change")]
    Conflict,
    /// A foreign key refused the write (a reference to something that does not exist).
    #[error("foreign key violated: {0}")]
    ForeignKeyViolation(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db_error) => {
                let constraint = db_error.constraint().unwrap_or_default().to_owned();
                if db_error.is_unique_violation() {
                    StoreError::UniqueViolation(constraint)
                } else if db_error.is_foreign_key_violation() {
                    StoreError::ForeignKeyViolation(constraint)
                } else {
                    StoreError::Other(anyhow::Error::new(sqlx::Error::Database(db_error)))
                }
            }
            other => StoreError::Other(anyhow::Error::new(other)),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Opens the database named by `url`: `postgres://…` for PostgreSQL, anything
    /// else (`sqlite://…`) for SQLite, created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, PoolTuning::default()).await
    }

    /// [`Db::connect`] with the pool tuned (see [`PoolTuning`]).
    pub async fn connect_with(url: &str, tuning: PoolTuning) -> anyhow::Result<Db> {
        let PoolTuning {
            connections,
            ping_if_idle_for,
        } = tuning;
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Generic plans for prepared statements: see
            // `tickets::TicketFilter::planned_per_value` for where a value decides the plan.
            // No JIT: it compiles a statement whose estimated cost is high — the word
            // search's walk over index blocks is estimated at a thousand blocks — for
            // ~400 ms, and no statement here runs long enough to win that back.
            let options = PgConnectOptions::from_str(url)
                .context("parsing the PostgreSQL URL")?
                .options([("plan_cache_mode", "force_generic_plan"), ("jit", "off")]);
            let connections = connections.unwrap_or_else(|| {
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
                (2 * cores).max(4)
            });
            // sqlx pings every idle connection before handing it out by default: a
            // round trip to the server before each statement, ~4 % of a ticket
            // page's throughput. Under load a connection comes back to the pool
            // microseconds before it is taken again, so only one idle for longer
            // than `ping_if_idle_for` is pinged first.
            let pool = PgPoolOptions::new()
                .max_connections(connections)
                .test_before_acquire(false)
                .before_acquire(move |connection, metadata| {
                    Box::pin(async move {
                        if metadata.idle_for > ping_if_idle_for {
                            sqlx::Connection::ping(connection).await?;
                        }
                        Ok(true)
                    })
                })
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .context("parsing the SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // No ping before each acquire: the database is a local file, and on
            // SQLite a ping is a hand-off to the connection's thread and back —
            // a round trip as costly as a small query, before every query.
            let pool = SqlitePoolOptions::new()
                .max_connections(connections.unwrap_or(8))
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("opening the SQLite database")?;
            Ok(Db::Sqlite(pool))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations of this backend (and, on SQLite, the table
    /// rebuilds that cannot run inside a migration's transaction).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool) => {
                SQLITE_MIGRATIONS
                    .run(pool)
                    .await
                    .context("applying database migrations")?;
                sqlite_rebuild::make_ticket_branch_nullable(pool).await
            }
            Db::Postgres(pool) => POSTGRES_MIGRATIONS
                .run(pool)
                .await
                .context("applying database migrations"),
        }
    }

    /// A cheap round trip, for the health check.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}
