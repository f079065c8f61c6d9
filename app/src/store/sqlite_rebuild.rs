//! Schema changes SQLite cannot make in place, done after the migrations as its
//! documentation prescribes ("ALTER TABLE — making other kinds of table schema
//! changes"): foreign keys off on one connection, then in one transaction a new
//! table, every row copied with its id, the old table dropped, the new one
//! renamed, its indexes and triggers recreated, and a foreign-key check before the commit.

use anyhow::{Context, bail};
use sqlx::{Connection, Executor, SqlitePool};

/// `tickets.branch_code` as migration 0003 declared it, and as it is since
/// migration 0008 (nullable: unrouted tickets).
const BRANCH_NOT_NULL: &str = "branch_code          TEXT NOT NULL REFERENCES branches (code)";
const BRANCH_NULLABLE: &str = "branch_code          TEXT REFERENCES branches (code)";

/// Drops the NOT NULL of `tickets.branch_code` (migration 0008); does nothing
/// once done.
pub(super) async fn make_ticket_branch_nullable(pool: &SqlitePool) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let table: String = sqlx::query_scalar(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'tickets'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !table.contains(BRANCH_NOT_NULL) {
        return Ok(());
    }
    let Some(columns) = table.strip_prefix("CREATE TABLE tickets (") else {
        bail!("unexpected definition of the tickets table");
    };
    let rebuilt = format!(
        "CREATE TABLE tickets_rebuilt ({}",
        columns.replacen(BRANCH_NOT_NULL, BRANCH_NULLABLE, 1)
    );
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND tbl_name = 'tickets' AND sql IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;

    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let outcome = async {
        let mut tx = conn.begin().await?;
        tx.execute(rebuilt.as_str()).await?;
        tx.execute("INSERT INTO tickets_rebuilt SELECT * FROM tickets")
            .await?;
        tx.execute("DROP TABLE tickets").await?;
        tx.execute("ALTER TABLE tickets_rebuilt RENAME TO tickets")
            .await?;
        for index in &indexes {
            tx.execute(index.as_str()).await?;
        }
        let broken: Option<String> = sqlx::query_scalar("PRAGMA foreign_key_check")
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(table) = broken {
            bail!("a row of {table} points at nothing after the rebuild of tickets");
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    outcome.context("making tickets.branch_code nullable (migration 0008)")
}
