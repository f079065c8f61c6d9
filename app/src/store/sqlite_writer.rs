//! Group commit for SQLite: writes that arrive together share one transaction.
//!
//! SQLite has one writer per database file, and each commit costs far more than
//! the rows it carries: the WAL frames of every page touched (the table's last
//! page, each index's, the full-text index's new segment) are written again for
//! each transaction. Under load, ticket creations queue here; whoever holds the
//! file's gate takes everything queued so far and runs it in one `BEGIN
//! IMMEDIATE … COMMIT`, each write inside a savepoint of its own, so a write
//! that fails (a duplicate `id_feedback`) is undone alone and reported alone.
//! Every caller hears back only after the commit: no one is told "created" for
//! a row that a later failure of the group could still take away, and a
//! failed commit fails every write of the group, none half-written.
//!
//! The group runs in a task of its own, so a caller that goes away (a client
//! that disconnects) cannot leave a transaction open on a pooled connection.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use futures::future::BoxFuture;
use sqlx::SqliteConnection;
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use super::write_groups::{Member, WriteGroups, queue_of};
use super::{StoreError, StoreResult};

/// The savepoint each write of a group runs in: its SQL must begin with
/// `SAVEPOINT group_member` and end with `RELEASE group_member` (see [`in_savepoint`]).
const SAVEPOINT: &str = "group_member";

/// At most this many writes share one transaction.
const MAX_GROUP: usize = 128;

/// One write: statements run on the group's connection, answering a number
/// (the new row's id).
pub(crate) type Work = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<i64, sqlx::Error>> + Send,
>;

/// `body` (statements separated by `;`) wrapped in the group member's savepoint.
pub(crate) fn in_savepoint(body: &str) -> String {
    format!("SAVEPOINT {SAVEPOINT}; {body}; RELEASE {SAVEPOINT}")
}

/// Where a write's answer goes.
type Reply = oneshot::Sender<StoreResult<i64>>;

/// The queue of one database file: one drainer at a time, SQLite having one writer.
type FileWriter = WriteGroups<Work, i64>;

fn writer_of(pool: &SqlitePool) -> Arc<FileWriter> {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Arc<FileWriter>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    queue_of(&WRITERS, file, || WriteGroups::new(1, MAX_GROUP))
}

/// Holds the file's write gate: a write that cannot join a group (one of many
/// statements and files) takes it so as to queue here rather than in SQLite's
/// busy handler, whose sleeps grow under contention.
pub(crate) async fn exclusive(pool: &SqlitePool) -> OwnedSemaphorePermit {
    writer_of(pool).place().await
}

/// Runs `work` in the next group of this database file; answers after the
/// group's commit.
pub(crate) async fn write(pool: &SqlitePool, work: Work) -> StoreResult<i64> {
    let pool = pool.clone();
    writer_of(&pool)
        .submit(work, "SQLite writer", move |group| {
            let pool = pool.clone();
            async move { run_group(&pool, group).await }
        })
        .await
}

fn fail_all(replies: impl IntoIterator<Item = Reply>, error: &sqlx::Error) {
    for reply in replies {
        let _ = reply.send(Err(StoreError::Other(anyhow::anyhow!(
            "group commit failed: {error}"
        ))));
    }
}

async fn run_group(pool: &SqlitePool, group: Vec<Member<Work, i64>>) {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(error) => return fail_all(group.into_iter().map(|job| job.reply), &error),
    };
    if let Err(error) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        return fail_all(group.into_iter().map(|job| job.reply), &error);
    }
    let mut outcomes: Vec<(Reply, Result<i64, sqlx::Error>)> = Vec::with_capacity(group.len());
    let mut jobs = group.into_iter();
    while let Some(Member { work, reply }) = jobs.next() {
        let outcome = work(&mut conn).await;
        if outcome.is_err() {
            let undone = sqlx::query(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))
                .execute(&mut *conn)
                .await;
            if let Err(error) = undone {
                // The connection is in no known state: give up the whole group.
                abandon(conn).await;
                let replies = outcomes.into_iter().map(|(reply, _)| reply);
                return fail_all(
                    replies
                        .chain(std::iter::once(reply))
                        .chain(jobs.map(|job| job.reply)),
                    &error,
                );
            }
        }
        outcomes.push((reply, outcome));
    }
    if let Err(error) = sqlx::query("COMMIT").execute(&mut *conn).await {
        abandon(conn).await;
        return fail_all(outcomes.into_iter().map(|(reply, _)| reply), &error);
    }
    for (reply, outcome) in outcomes {
        let _ = reply.send(outcome.map_err(StoreError::from));
    }
}

/// Rolls back what the connection may still hold open, and keeps it from being
/// reused when even that fails.
async fn abandon(mut conn: PoolConnection<Sqlite>) {
    if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
        conn.close_on_drop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;

    fn insert(value: &'static str) -> Work {
        Box::new(move |conn| {
            Box::pin(async move {
                sqlx::query_scalar(&in_savepoint(
                    "INSERT INTO notes (body) VALUES ($1); SELECT last_insert_rowid()",
                ))
                .bind(value)
                .fetch_one(conn)
                .await
            })
        })
    }

    #[tokio::test]
    async fn a_group_commits_together_and_a_failed_write_is_undone_alone() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("group.sqlite3"))
            .create_if_missing(true);
        let pool = SqlitePool::connect_with(options).await.expect("open");
        sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
            .execute(&pool)
            .await
            .expect("table");

        // With the gate held, four writes queue; released, they form one group.
        let gate = exclusive(&pool).await;
        let writes: Vec<_> = ["first", "second", "first", "third"]
            .into_iter()
            .map(|value| {
                let pool = pool.clone();
                tokio::spawn(async move { write(&pool, insert(value)).await })
            })
            .collect();
        let writer = writer_of(&pool);
        while writer.queued() < 4 {
            tokio::task::yield_now().await;
        }
        drop(gate);

        let mut outcomes = Vec::new();
        for write in writes {
            outcomes.push(write.await.expect("join"));
        }
        assert_eq!(outcomes[0].as_ref().ok(), Some(&1));
        assert_eq!(outcomes[1].as_ref().ok(), Some(&2));
        assert!(
            matches!(outcomes[2], Err(StoreError::UniqueViolation(_))),
            "{:?}",
            outcomes[2]
        );
        assert_eq!(outcomes[3].as_ref().ok(), Some(&3));
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM notes ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("read back");
        assert_eq!(bodies, ["first", "second", "third"]);
    }
}
