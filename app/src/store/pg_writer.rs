//! Group insert for PostgreSQL: ticket creations that arrive together share one
//! statement.
//!
//! On PostgreSQL each statement costs far more than the rows it carries: a
//! ticket touches 14 indexes, a trigger, 15 foreign keys and three tables, and
//! setting all of that up (and locking the referenced rows of branches, types and
//! accounts) is paid per statement. Measured with pgbench on 4 connections, the
//! same inserts ran 2,780 tickets/s one per statement and 12,400 tickets/s sixteen
//! per statement.
//!
//! So creations queue here; a drainer takes everything queued so far and inserts
//! it with one `INSERT … SELECT FROM unnest(…)` — tickets, creation events and
//! outbox messages, all in one atomic statement. A creation whose `id_feedback`
//! its account already used is skipped by the statement (`ON CONFLICT DO
//! NOTHING`) and answered as the unique violation it is; the others are written.
//! If the statement fails for any other reason (a reference that does not
//! exist), nothing of it was written, and each creation of the group runs again
//! alone, so each hears its own answer. Callers hear back only after the
//! statement committed. Drainers run in tasks of their own, a few at a time, so a
//! caller that goes away strands nothing.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::PgPool;

use super::plain_create::{NOT_COLUMNS, NUMBERS, PlainCreate, TEXTS, TIMES};
use super::write_groups::{Member, WriteGroups, queue_of};
use super::{StoreError, StoreResult};
use crate::domain::TicketId;

/// At most this many creations share one statement.
const MAX_GROUP: usize = 64;

/// Drainers running at once: each holds one connection while its statement runs.
const DRAINERS: usize = 2;

type Writer = WriteGroups<PlainCreate, TicketId>;

fn writer_of(pool: &PgPool) -> Arc<Writer> {
    static WRITERS: LazyLock<Mutex<HashMap<String, Arc<Writer>>>> = LazyLock::new(Default::default);
    let options = pool.connect_options();
    let database = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    queue_of(&WRITERS, database, || WriteGroups::new(DRAINERS, MAX_GROUP))
}

/// Inserts the ticket in the next group of this database; answers after its commit.
pub(crate) async fn create(pool: &PgPool, create: PlainCreate) -> StoreResult<TicketId> {
    let pool = pool.clone();
    writer_of(&pool)
        .submit(create, "PostgreSQL writer", move |group| {
            let pool = pool.clone();
            async move { run_group(&pool, group).await }
        })
        .await
}

async fn run_group(pool: &PgPool, group: Vec<Member<PlainCreate, TicketId>>) {
    let creates: Vec<&PlainCreate> = group.iter().map(|member| &member.work).collect();
    match insert(pool, &creates).await {
        Ok(ids) => {
            for (member, id) in group.into_iter().zip(ids) {
                let _ = member.reply.send(id.ok_or_else(taken));
            }
        }
        Err(_) if group.len() > 1 => {
            // Nothing of the group was written: each one again, alone.
            for member in group {
                let outcome = insert(pool, &[&member.work]).await;
                let _ = member.reply.send(match outcome {
                    Ok(ids) => ids.into_iter().next().flatten().ok_or_else(taken),
                    Err(error) => Err(StoreError::from(error)),
                });
            }
        }
        Err(error) => {
            if let Some(member) = group.into_iter().next() {
                let _ = member.reply.send(Err(StoreError::from(error)));
            }
        }
    }
}

/// A create the statement skipped: the only unique key a new ticket can collide
/// on is its account's `id_feedback` (id and code come from the sequence).
fn taken() -> StoreError {
    StoreError::UniqueViolation("tickets_external".to_owned())
}

/// The group's statement: its inputs unnested into rows numbered by `ord`, each
/// given the next ticket id, inserted with its creation event and outbox messages.
fn group_statement() -> &'static str {
    static STATEMENT: LazyLock<String> = LazyLock::new(|| {
        let mut arrays = Vec::new();
        let mut names = Vec::new();
        for (kind, columns) in [
            (
                "text",
                TEXTS.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            ),
            ("int8", NUMBERS.iter().map(|(name, _)| *name).collect()),
            ("timestamptz", TIMES.iter().map(|(name, _)| *name).collect()),
        ] {
            for name in columns {
                arrays.push(format!("${}::{kind}[]", arrays.len() + 1));
                names.push(name);
            }
        }
        let columns: Vec<&str> = names
            .iter()
            .copied()
            .filter(|name| !NOT_COLUMNS.contains(name))
            .collect();
        let qualified: Vec<String> = columns.iter().map(|name| format!("i.{name}")).collect();
        let code = "lpad(i.id::text, greatest(7, length(i.id::text)), '0')";
        let outbox = super::outbox::enqueue_sql(
            "new_ticket",
            "TRUE",
            [
                "'create'",
                "'{}'",
                "'[]'",
                "t.created_at",
                "t.api_account_id",
            ],
        );
        format!(
            "WITH input AS MATERIALIZED ( \
               SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS id, u.* \
               FROM unnest({arrays}) WITH ORDINALITY AS u({names}, ord) \
             ), new_ticket AS ( \
               INSERT INTO tickets (id, feedback_code, search_text, id_status, updated_at, {columns}) \
               OVERRIDING SYSTEM VALUE \
               SELECT i.id, i.prefix || '-' || {code}, lower(i.prefix) || '-' || {code} || i.rest, 1, \
                 i.created_at, {qualified} FROM input i \
               ON CONFLICT DO NOTHING \
               RETURNING id, branch_code, api_account_id, created_at \
             ), created_event AS ( \
               INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, to_value, created_at) \
               SELECT i.id, 'created', i.created_by_user_id, i.api_account_id, i.actor_label, '1', i.created_at \
               FROM input i JOIN new_ticket n ON n.id = i.id \
             ), messages AS ({outbox}) \
             SELECT i.id, i.ord FROM input i JOIN new_ticket n ON n.id = i.id",
            arrays = arrays.join(", "),
            names = names.join(", "),
            columns = columns.join(", "),
            qualified = qualified.join(", "),
        )
    });
    &STATEMENT
}

/// Inserts `creates` in one statement; their ids, in their order (`None`: skipped,
/// its `id_feedback` already taken).
async fn insert(
    pool: &PgPool,
    creates: &[&PlainCreate],
) -> Result<Vec<Option<TicketId>>, sqlx::Error> {
    let mut query = sqlx::query_as::<_, (i64, i64)>(group_statement());
    for (_, value) in TEXTS {
        query = query.bind(creates.iter().map(|c| value(c)).collect::<Vec<_>>());
    }
    for (_, value) in NUMBERS {
        query = query.bind(creates.iter().map(|c| value(c)).collect::<Vec<_>>());
    }
    for (_, value) in TIMES {
        query = query.bind(creates.iter().map(|c| value(c)).collect::<Vec<_>>());
    }
    let rows = query.fetch_all(pool).await?;
    let mut ids = vec![None; creates.len()];
    for (id, ord) in rows {
        if let Some(slot) = usize::try_from(ord - 1).ok().and_then(|i| ids.get_mut(i)) {
            *slot = Some(TicketId(id));
        }
    }
    Ok(ids)
}
