//! Group commit for SQLite: ticket creations that arrive together share one
//! transaction and one set of statements.
//!
//! SQLite has one writer per database file, and each commit costs far more than
//! the rows it carries: the WAL frames of every page touched (the table's last
//! page, each index's, the full-text index's new segment) are written again for
//! each transaction. Under load, ticket creations queue here; whoever holds the
//! file's gate takes everything queued so far and inserts it in one `BEGIN
//! IMMEDIATE … COMMIT`, with a handful of statements over a JSON array of their
//! rows (`json_each`). A script per creation — eight statements, each looked up,
//! bound with its 46 values and stepped on the connection's thread — cost more
//! than the rows it wrote.
//!
//! Should the shared insert fail (an `id_feedback` the account already used, a
//! request type that does not exist), it is undone, and each creation runs again
//! alone, each inside a savepoint of its own, so a creation that fails is undone
//! alone and reported alone. Every caller hears back only after the commit: no
//! one is told "created" for a row that a later failure of the group could
//! still take away, and a failed commit fails every creation of the group, none
//! half-written.
//!
//! The group runs in a task of its own, so a caller that goes away (a client
//! that disconnects) cannot leave a transaction open on a pooled connection.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use chrono::SecondsFormat;
use futures::future::BoxFuture;
use serde_json::Value;
use sqlx::SqliteConnection;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{Sqlite, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use super::plain_create::{NOT_COLUMNS, NUMBERS, PlainCreate, TEXTS, TIMES};
use super::write_groups::{Member, WriteGroups, queue_of};
use super::{StoreError, StoreResult};

/// The savepoint each write of a group runs in: its SQL must begin with
/// `SAVEPOINT group_member` and end with `RELEASE group_member` (see [`in_savepoint`]).
const SAVEPOINT: &str = "group_member";

/// At most this many creations share one transaction.
const MAX_GROUP: usize = 128;

/// A creation as statements of its own, run on the group's connection,
/// answering the new ticket's id.
pub(crate) type Work = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<i64, sqlx::Error>> + Send,
>;

/// A queued creation, and `alone`, which makes it a [`Work`] of its own should
/// the group's shared insert fail.
pub(crate) struct GroupCreate {
    create: PlainCreate,
    alone: fn(PlainCreate) -> Work,
}

/// `body` (statements separated by `;`) wrapped in the group member's savepoint.
pub(crate) fn in_savepoint(body: &str) -> String {
    format!("SAVEPOINT {SAVEPOINT}; {body}; RELEASE {SAVEPOINT}")
}

/// Where a write's answer goes.
type Reply = oneshot::Sender<StoreResult<i64>>;

/// The group writer of one database file.
struct FileWriter {
    /// The queue: one drainer at a time, SQLite having one writer.
    groups: Arc<WriteGroups<GroupCreate, i64>>,
    /// The one connection every group runs on. Each SQLite connection has a
    /// page cache of its own, which it empties whenever it finds that another
    /// connection wrote since it last looked: groups taking turns over the
    /// pool's connections each found theirs emptied by the group before, and
    /// read every page they touched (the tail of the table and of each index)
    /// again. Kept to one connection, a group finds them where the last left
    /// them. It checkpoints the WAL only when told (see [`FileWriter::committed`]).
    connection: SqlitePool,
    /// Creations committed since the last checkpoint began.
    since_checkpoint: AtomicUsize,
    /// Where the checkpoint stands: [`NO_CHECKPOINT`], [`FIRST_PASS`] or
    /// [`FIRST_PASS_DONE`].
    checkpoint: AtomicU8,
}

/// No checkpoint under way.
const NO_CHECKPOINT: u8 = 0;
/// A checkpoint's first pass runs beside the groups.
const FIRST_PASS: u8 = 1;
/// Its first pass is done; the next group runs the second first.
const FIRST_PASS_DONE: u8 = 2;

/// After this many creations the groups wrote (~14 KB of WAL each), the WAL
/// is checkpointed.
const CHECKPOINT_AFTER: usize = 1_000;

/// The checkpoint of both passes (see [`FileWriter::committed`]).
const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

impl FileWriter {
    /// Counts `creates` committed, and begins a checkpoint of the WAL once
    /// enough were, unless one is under way.
    ///
    /// SQLite checkpoints by default in the commit that takes the WAL past 1,000
    /// pages: under load, every ~70 creations a group waited on one (reading
    /// the WAL's frames, writing them to the database file, two `fsync`s), and
    /// the creations queued behind it waited on both. The group connection
    /// never checkpoints; a first pass copies the WAL beside the groups, on a
    /// pooled connection. A copy made while groups write never ends with the
    /// WAL wholly copied, and only after one that does will SQLite start the
    /// WAL over instead of growing it: so the next group, on its own
    /// connection, first copies what was written during the first pass — a
    /// few hundred pages, ~1 ms — and then starts the WAL over with its write.
    fn committed(self: &Arc<Self>, creates: usize, pool: &SqlitePool) {
        if self.since_checkpoint.fetch_add(creates, Ordering::Relaxed) + creates < CHECKPOINT_AFTER
            || self
                .checkpoint
                .compare_exchange(
                    NO_CHECKPOINT,
                    FIRST_PASS,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
        {
            return;
        }
        self.since_checkpoint.store(0, Ordering::Relaxed);
        let (writer, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            let next = match sqlx::query(CHECKPOINT).execute(&pool).await {
                Ok(_) => FIRST_PASS_DONE,
                Err(error) => {
                    tracing::warn!(%error, "checkpointing the WAL");
                    NO_CHECKPOINT
                }
            };
            writer.checkpoint.store(next, Ordering::Release);
        });
    }

    /// The checkpoint's second pass, if its first is done: run by a group,
    /// on its connection, before its own write.
    async fn finish_checkpoint(&self) {
        // Only the one drainer (which runs this) moves it on from FIRST_PASS_DONE.
        if self.checkpoint.load(Ordering::Acquire) != FIRST_PASS_DONE {
            return;
        }
        if let Err(error) = sqlx::query(CHECKPOINT).execute(&self.connection).await {
            tracing::warn!(%error, "completing the WAL's checkpoint");
        }
        self.checkpoint.store(NO_CHECKPOINT, Ordering::Release);
    }
}

fn writer_of(pool: &SqlitePool) -> Arc<FileWriter> {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Arc<FileWriter>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    queue_of(&WRITERS, file, || FileWriter {
        groups: Arc::new(WriteGroups::new(1, MAX_GROUP)),
        connection: SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .max_lifetime(None)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_lazy_with(
                (*pool.connect_options())
                    .clone()
                    .pragma("wal_autocheckpoint", "0"),
            ),
        since_checkpoint: AtomicUsize::new(0),
        checkpoint: AtomicU8::new(NO_CHECKPOINT),
    })
}

/// Holds the file's write gate: a write that cannot join a group (one of many
/// statements and files) takes it so as to queue here rather than in SQLite's
/// busy handler, whose sleeps grow under contention.
pub(crate) async fn exclusive(pool: &SqlitePool) -> OwnedSemaphorePermit {
    writer_of(pool).groups.place().await
}

/// Inserts a plain ticket creation in the next group of this database file,
/// with the others of that group; answers its id after the group's commit.
pub(crate) async fn create(
    pool: &SqlitePool,
    create: PlainCreate,
    alone: fn(PlainCreate) -> Work,
) -> StoreResult<i64> {
    let writer = writer_of(pool);
    let pool = pool.clone();
    writer
        .groups
        .clone()
        .submit(
            GroupCreate { create, alone },
            "SQLite writer",
            move |group| {
                let (writer, pool) = (writer.clone(), pool.clone());
                async move {
                    writer.finish_checkpoint().await;
                    let creates = group.len();
                    if run_group(&writer.connection, group).await {
                        writer.committed(creates, &pool);
                    }
                }
            },
        )
        .await
}

fn fail_all(replies: impl IntoIterator<Item = Reply>, error: &sqlx::Error) {
    for reply in replies {
        let _ = reply.send(Err(StoreError::Other(anyhow::anyhow!(
            "group commit failed: {error}"
        ))));
    }
}

/// Undoes the group member's savepoint after a failed write in it.
async fn undo_member(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Runs `group` on `connection`, the file writer's one pooled connection;
/// answers whether it committed.
async fn run_group(connection: &SqlitePool, group: Vec<Member<GroupCreate, i64>>) -> bool {
    let mut conn = match connection.acquire().await {
        Ok(conn) => conn,
        Err(error) => {
            fail_all(group.into_iter().map(|job| job.reply), &error);
            return false;
        }
    };
    let rows: Vec<&PlainCreate> = group.iter().map(|member| &member.work.create).collect();
    let mut outcomes: Vec<(Reply, Result<i64, sqlx::Error>)> = Vec::with_capacity(group.len());
    match insert_and_commit(&mut conn, &rows).await {
        Ok(first) => {
            for (member, id) in group.into_iter().zip(first..) {
                let _ = member.reply.send(Ok(id));
            }
            return true;
        }
        Err(error) => {
            tracing::debug!(%error, creates = group.len(), "a group's shared insert failed; each runs alone");
            // Left open by the script: its transaction and the savepoint. If
            // either is not (the BEGIN or the COMMIT failed), the connection is
            // in no known state.
            if let Err(error) = undo_member(&mut conn).await {
                // The connection is in no known state: give up the whole group.
                abandon(conn).await;
                fail_all(group.into_iter().map(|member| member.reply), &error);
                return false;
            }
            // Nothing of the group was written: each again, alone.
            let mut members = group.into_iter();
            while let Some(Member { work, reply }) = members.next() {
                let outcome = (work.alone)(work.create)(&mut conn).await;
                if outcome.is_err()
                    && let Err(error) = undo_member(&mut conn).await
                {
                    // The connection is in no known state: give up the whole group.
                    abandon(conn).await;
                    let replies = outcomes.into_iter().map(|(reply, _)| reply);
                    fail_all(
                        replies
                            .chain(std::iter::once(reply))
                            .chain(members.map(|member| member.reply)),
                        &error,
                    );
                    return false;
                }
                outcomes.push((reply, outcome));
            }
        }
    }
    if let Err(error) = sqlx::query("COMMIT").execute(&mut *conn).await {
        abandon(conn).await;
        fail_all(outcomes.into_iter().map(|(reply, _)| reply), &error);
        return false;
    }
    for (reply, outcome) in outcomes {
        let _ = reply.send(outcome.map_err(StoreError::from));
    }
    true
}

/// Inserts `creates` together in a transaction of their own, and commits:
/// `BEGIN IMMEDIATE`, the [`creates_statement`], `COMMIT`, sent as one script.
/// Each statement sent is a hand-off to the connection's thread and back, and
/// the drainer that waits for the answer is queued behind the runtime's
/// requests before it sends the next: three hand-offs a group kept the writer
/// idle a third of the time. Answers the first one's id, the others following
/// it; on an error the transaction and the savepoint may still be open, for
/// the caller to roll back.
async fn insert_and_commit(
    conn: &mut SqliteConnection,
    creates: &[&PlainCreate],
) -> Result<i64, sqlx::Error> {
    static SCRIPT: LazyLock<String> =
        LazyLock::new(|| format!("BEGIN IMMEDIATE; {}; COMMIT", creates_statement()));
    insert_with(conn, creates, &SCRIPT).await
}

/// Runs `script` (the [`creates_statement`], wrapped or not) over `creates`,
/// to its end, and answers the first new ticket's id.
async fn insert_with(
    conn: &mut SqliteConnection,
    creates: &[&PlainCreate],
    script: &str,
) -> Result<i64, sqlx::Error> {
    let rows = Value::Array(creates.iter().map(|create| json_row(create)).collect());
    // All of it, not the first row only: the script goes on after its SELECT.
    let last: Vec<i64> = sqlx::query_scalar(script)
        .bind(rows.to_string())
        .fetch_all(conn)
        .await?;
    let last = last.first().copied().ok_or(sqlx::Error::RowNotFound)?;
    Ok(last - creates.len() as i64 + 1)
}

/// A creation's values as a JSON array, in the order of `TEXTS`, `NUMBERS` and
/// `TIMES`; times as sqlx writes them to SQLite (RFC 3339).
fn json_row(create: &PlainCreate) -> Value {
    let texts = TEXTS
        .iter()
        .map(|(_, value)| value(create).map_or(Value::Null, Value::String));
    let numbers = NUMBERS
        .iter()
        .map(|(_, value)| value(create).map_or(Value::Null, Value::from));
    let times = TIMES.iter().map(|(_, value)| {
        value(create).map_or(Value::Null, |time| {
            Value::String(time.to_rfc3339_opts(SecondsFormat::AutoSi, false))
        })
    });
    Value::Array(texts.chain(numbers).chain(times).collect())
}

/// The statements that insert a group's creations from `$1`, a JSON array of
/// their [`json_row`]s, and answer the last new ticket's id.
///
/// Each row is turned into binary JSON once (`jsonb`) before its 46 values are
/// read: read off `json_each`'s text, each value cost the row's text rendered
/// and parsed again. The write lock is held (`BEGIN IMMEDIATE`), so the new ids
/// are the next ones, consecutive, in the rows' order — as `AUTOINCREMENT`
/// would give them: above both the highest id and the highest ever handed out.
fn creates_statement() -> &'static str {
    static STATEMENT: LazyLock<String> = LazyLock::new(|| {
        let names: Vec<&str> = TEXTS
            .iter()
            .map(|(name, _)| *name)
            .chain(NUMBERS.iter().map(|(name, _)| *name))
            .chain(TIMES.iter().map(|(name, _)| *name))
            .collect();
        let input = |wanted: &str| {
            let index = names
                .iter()
                .position(|name| *name == wanted)
                .expect("a plain create's input");
            // Parenthesised: `->>` binds no tighter than `||`.
            format!("(j.value ->> {index})")
        };
        let columns: Vec<&str> = names
            .iter()
            .copied()
            .filter(|name| !NOT_COLUMNS.contains(name))
            .collect();
        let values: Vec<String> = columns.iter().map(|name| input(name)).collect();
        let (prefix, rest, label, created_at) = (
            input("prefix"),
            input("rest"),
            input("actor_label"),
            input("created_at"),
        );
        let id = "n.base + j.key + 1";
        let code = format!("printf('%07d', {id})");
        let first_new = "(SELECT max(id) FROM tickets) - json_array_length($1)";
        let outbox = super::outbox::enqueue_sql(
            "tickets",
            &format!("t.id > {first_new}"),
            [
                "'create'",
                "'{}'",
                "'[]'",
                "t.created_at",
                "t.api_account_id",
            ],
        );
        in_savepoint(&format!(
            "WITH j AS MATERIALIZED (SELECT key, jsonb(value) AS value FROM json_each($1)) \
             INSERT INTO tickets (id, feedback_code, search_text, id_status, updated_at, {columns}) \
               SELECT {id}, {prefix} || '-' || {code}, lower({prefix}) || '-' || {code} || {rest}, 1, \
                 {created_at}, {values} \
               FROM (SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tickets'), 0), \
                 COALESCE((SELECT max(id) FROM tickets), 0)) AS base) AS n, j \
               ORDER BY j.key; \
             INSERT INTO ticket_search (rowid, search_text, facets) \
               SELECT id, search_text, {facets} FROM tickets WHERE id > {first_new}; \
             {merge_words}; \
             INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, to_value, created_at) \
               SELECT t.id, 'created', t.created_by_user_id, t.api_account_id, {label}, '1', t.created_at \
               FROM json_each($1) AS j JOIN tickets t ON t.id = {first_new} + j.key + 1; \
             {outbox}; \
             SELECT max(id) FROM tickets",
            columns = columns.join(", "),
            values = values.join(", "),
            facets = super::tickets::SQLITE_SEARCH_FACETS,
            merge_words = super::tickets::SQLITE_MERGE_TICKET_WORDS,
        ))
    });
    &STATEMENT
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
    use crate::domain::{BranchCode, TicketId};
    use crate::store::Db;
    use crate::store::tickets::NewTicket;

    fn ticket(content: &str, id_type: i64) -> NewTicket {
        NewTicket {
            branch: Some(BranchCode::parse("GD").expect("branch")),
            id_type,
            id_priority: 2,
            source: "api",
            customer_name: "Lê Văn Tám".into(),
            content: content.into(),
            actor_label: "test".into(),
            ..NewTicket::default()
        }
    }

    /// Creates `tickets` in one group: they queue while the gate is held.
    async fn in_one_group(db: &Db, tickets: Vec<NewTicket>) -> Vec<StoreResult<TicketId>> {
        let Db::Sqlite(pool) = db else {
            unreachable!("a SQLite database")
        };
        let gate = exclusive(pool).await;
        let count = tickets.len();
        let creates: Vec<_> = tickets
            .into_iter()
            .map(|ticket| {
                let db = db.clone();
                tokio::spawn(async move { db.create_ticket(&ticket).await })
            })
            .collect();
        while writer_of(pool).groups.queued() < count {
            tokio::task::yield_now().await;
        }
        drop(gate);
        let mut outcomes = Vec::new();
        for create in creates {
            outcomes.push(create.await.expect("join"));
        }
        outcomes
    }

    #[tokio::test]
    async fn a_group_is_inserted_together_and_a_failed_create_is_refused_alone() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("group.sqlite3").display());
        let db = Db::connect(&url).await.expect("open");
        db.migrate().await.expect("migrate");

        // The shared insert itself succeeds (the group does not fall back).
        let Db::Sqlite(pool) = &db else {
            unreachable!("a SQLite database")
        };
        let mut conn = pool.acquire().await.expect("connection");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .expect("begin");
        let plain = |content: &str| PlainCreate {
            ticket: ticket(content, 2),
            prefix: "GD".into(),
            rest: " le van tam".into(),
            now: chrono::Utc::now(),
        };
        let first = insert_with(&mut conn, &[&plain("x"), &plain("y")], creates_statement())
            .await
            .expect("shared insert");
        assert_eq!(first, 1);
        sqlx::query("ROLLBACK")
            .execute(&mut *conn)
            .await
            .expect("rollback");
        drop(conn);

        // Together: the next ids, in order, each with its code, event and words.
        let outcomes = in_one_group(
            &db,
            vec![ticket("một", 2), ticket("hai", 2), ticket("ba", 2)],
        )
        .await;
        let ids: Vec<i64> = outcomes
            .into_iter()
            .map(|outcome| outcome.expect("created").0)
            .collect();
        assert_eq!(ids, [1, 2, 3]);
        for (id, content) in ids.iter().zip(["một", "hai", "ba"]) {
            let read = db.ticket_for_page(TicketId(*id)).await.expect("ticket");
            assert_eq!(read.ticket.content, content);
            assert_eq!(read.ticket.feedback_code, Some(format!("GD-{id:07}")));
            assert_eq!(read.events.len(), 1);
        }
        let words: Vec<(i64, String)> = sqlx::query_as(
            "SELECT t.id, t.search_text FROM ticket_search s JOIN tickets t ON t.id = s.rowid \
             WHERE ticket_search MATCH 'tam AND facets : bgd' ORDER BY t.id",
        )
        .fetch_all(pool)
        .await
        .expect("word index");
        assert_eq!(words.len(), 3);
        assert!(words[0].1.starts_with("gd-0000001 "), "{words:?}");

        // One create the database refuses (a request type that does not exist):
        // the shared insert is undone, each runs again alone, the others land.
        let outcomes = in_one_group(
            &db,
            vec![ticket("bốn", 2), ticket("lỗi", 999), ticket("năm", 2)],
        )
        .await;
        assert_eq!(outcomes[0].as_ref().ok(), Some(&TicketId(4)));
        assert!(
            matches!(outcomes[1], Err(StoreError::ForeignKeyViolation(_))),
            "{:?}",
            outcomes[1]
        );
        assert_eq!(outcomes[2].as_ref().ok(), Some(&TicketId(5)));
        let read = db.ticket_for_page(TicketId(5)).await.expect("ticket");
        assert_eq!(read.ticket.content, "năm");
    }

    #[tokio::test]
    async fn the_wal_the_groups_write_is_checkpointed_and_started_over() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("wal.sqlite3").display());
        let db = Db::connect(&url).await.expect("open");
        db.migrate().await.expect("migrate");
        let Db::Sqlite(pool) = &db else {
            unreachable!("a SQLite database")
        };
        let wal_frames = || async {
            let (_, frames, _): (i64, i64, i64) = sqlx::query_as(CHECKPOINT)
                .fetch_one(pool)
                .await
                .expect("WAL size");
            frames
        };

        // The group connection does not checkpoint on its own: the WAL grows.
        let group = || (0..100).map(|n| ticket(&format!("phiếu {n}"), 2)).collect();
        for _ in 0..5 {
            in_one_group(&db, group()).await;
        }
        let grown = wal_frames().await;
        assert!(grown > 100, "{grown} frames");

        // Past CHECKPOINT_AFTER creations, a first pass copies the WAL beside the
        // groups…
        for _ in 0..6 {
            in_one_group(&db, group()).await;
        }
        let writer = writer_of(pool);
        while writer.checkpoint.load(Ordering::Acquire) != FIRST_PASS_DONE {
            assert_eq!(
                writer.checkpoint.load(Ordering::Acquire),
                FIRST_PASS,
                "the first pass failed"
            );
            tokio::task::yield_now().await;
        }
        // …and the next group completes it, then writes at the WAL's start.
        in_one_group(&db, vec![ticket("sau", 2)]).await;
        assert_eq!(writer.checkpoint.load(Ordering::Acquire), NO_CHECKPOINT);
        let restarted = wal_frames().await;
        assert!(restarted < 50, "{restarted} frames, against {grown} before");
        assert_eq!(
            db.ticket_for_page(TicketId(1101))
                .await
                .expect("the last")
                .ticket
                .content,
            "sau"
        );
    }
}
