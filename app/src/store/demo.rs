//! Bulk loading of generated demo and benchmark data (`tcrm demo-data`).
//!
//! A load is one connection of its own and one transaction: the secondary indexes
//! of customers, contracts and tickets are dropped at the start and rebuilt at the
//! end (sorting once is far cheaper than maintaining a dozen B-trees row by row),
//! and a failed load rolls back to the database as it was. SQLite gets the rows as
//! large reused multi-row INSERTs and its word-search index in one pass at the end;
//! PostgreSQL gets them through `COPY … FROM STDIN`, with the foreign keys also
//! dropped and added back (checked in one pass). Ids are given explicitly so codes
//! and search text are computed up front.

use chrono::{DateTime, Utc};
use sqlx::{ConnectOptions, Connection, PgConnection, SqliteConnection};

use super::{Db, StoreResult};
use crate::domain::{BranchCode, ContractCode, Phone};
use crate::on_pool;

/// A generated customer.
pub struct DemoCustomer {
    pub id: i64,
    pub phone: Phone,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// A generated contract code of a customer.
pub struct DemoContract {
    pub code: ContractCode,
    pub branch: BranchCode,
    pub customer_id: i64,
    pub address: String,
    pub ward_code: String,
    pub district_code: String,
    pub customer_type: i64,
    pub created_at: DateTime<Utc>,
}

/// An entry of a generated ticket's timeline.
pub struct DemoEvent {
    pub kind: &'static str,
    pub actor_label: &'static str,
    pub from_value: String,
    pub to_value: String,
    pub created_at: DateTime<Utc>,
}

/// A generated ticket.
pub struct DemoTicket {
    pub id: i64,
    pub feedback_code: String,
    pub branch: BranchCode,
    pub id_type: i64,
    pub id_status: i64,
    pub id_priority: i64,
    pub id_process_unit: i64,
    pub source: &'static str,
    pub id_customer: i64,
    pub contact_code: ContractCode,
    pub customer_name: String,
    pub customer_phone: Phone,
    pub customer_address: String,
    pub ward_code: String,
    pub district_code: String,
    pub content: String,
    pub solution: String,
    pub reading: Option<(i64, i64, i64)>,
    pub date_due: DateTime<Utc>,
    /// Its creation and status changes, oldest first.
    pub timeline: Vec<DemoEvent>,
    pub created_at: DateTime<Utc>,
    pub search_text: String,
}

/// The tables a load writes; their secondary indexes are rebuilt at the end.
const LOADED_TABLES: &str = "'customers', 'contracts', 'tickets', 'ticket_events'";

/// Rows per SQLite INSERT: one prepared statement per table, reused for every full
/// chunk (25 columns × 400 rows stays well under SQLite's 32 766 parameters).
const SQLITE_CHUNK: usize = 400;

const CUSTOMER_COLUMNS: &str = "id, phone, name, email, created_at";
const CONTRACT_COLUMNS: &str =
    "code, branch_code, customer_id, address, ward_code, district_code, customer_type, created_at";
const TICKET_COLUMNS: &str = "id, feedback_code, branch_code, id_type, id_status, id_priority, \
    id_process_unit, source, id_customer, contact_code, customer_name, customer_phone, \
    customer_address, ward_code, district_code, province_code, content, solution, reading_number, \
    reading_month, reading_year, date_due, created_at, updated_at, search_text";
const EVENT_COLUMNS: &str = "ticket_id, kind, actor_label, from_value, to_value, created_at";

/// `(?, ?, …), (…)` for `rows` rows of `columns` values. Anonymous parameters, not
/// `$N`: SQLite looks a named parameter up by walking the list of names, so binding
/// `$N` costs time quadratic in the number of parameters of a statement.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

fn column_count(columns: &str) -> usize {
    columns.split(',').count()
}

enum LoadConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// A bulk load in progress (see the module comment). Dropping it without
/// [`DemoLoad::finish`] closes its connection, which rolls the whole load back.
pub struct DemoLoad {
    connection: LoadConnection,
    /// What puts back the indexes and constraints dropped for the load, in order.
    restore: Vec<String>,
    /// The first ticket id written, from which SQLite's word index is filled.
    first_ticket: Option<i64>,
}

impl Db {
    /// The next free ids of customers and tickets (demo data appends).
    pub async fn demo_next_ids(&self) -> StoreResult<(i64, i64)> {
        let customers: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COALESCE(MAX(id), 0) FROM customers"
        )
        .fetch_one(pool)
        .await)?;
        let tickets: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COALESCE(MAX(id), 0) FROM tickets"
        )
        .fetch_one(pool)
        .await)?;
        Ok((customers + 1, tickets + 1))
    }

    /// Starts a bulk load: opens the load's own connection and transaction and
    /// drops the secondary indexes (on PostgreSQL also the foreign keys) of the
    /// loaded tables.
    pub async fn demo_load(&self) -> StoreResult<DemoLoad> {
        match self {
            Db::Sqlite(pool) => {
                let mut connection = load_connection(pool).await?;
                // IMMEDIATE: take the write lock now rather than at the first insert.
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut connection)
                    .await?;
                let indexes: Vec<(String, String)> = sqlx::query_as(&format!(
                    "SELECT name, sql FROM sqlite_master \
                     WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({LOADED_TABLES})"
                ))
                .fetch_all(&mut connection)
                .await?;
                let mut restore = Vec::with_capacity(indexes.len());
                for (name, create) in indexes {
                    sqlx::query(&format!("DROP INDEX \"{name}\""))
                        .execute(&mut connection)
                        .await?;
                    restore.push(create);
                }
                // SQLite's foreign keys stay: checking them costs little there.
                Ok(DemoLoad {
                    connection: LoadConnection::Sqlite(connection),
                    restore,
                    first_ticket: None,
                })
            }
            Db::Postgres(pool) => {
                let mut connection = load_connection(pool).await?;
                sqlx::query("BEGIN").execute(&mut connection).await?;
                // Memory for the index builds at the end, for this transaction only.
                sqlx::query("SET LOCAL maintenance_work_mem = '512MB'")
                    .execute(&mut connection)
                    .await?;
                // Indexes that back a constraint (primary keys, UNIQUE columns) stay.
                let indexes: Vec<(String, String)> = sqlx::query_as(&format!(
                    "SELECT i.indexname::text, i.indexdef FROM pg_indexes i \
                     WHERE i.schemaname = current_schema() AND i.tablename IN ({LOADED_TABLES}) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                       WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)"
                ))
                .fetch_all(&mut connection)
                .await?;
                // Row-by-row foreign-key triggers cost more than the COPY itself;
                // added back at the end, each is checked in one pass over the table.
                let foreign_keys: Vec<(String, String, String)> = sqlx::query_as(&format!(
                    "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid) \
                     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                     WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace \
                     AND t.relname IN ({LOADED_TABLES})"
                ))
                .fetch_all(&mut connection)
                .await?;
                let mut restore = Vec::with_capacity(indexes.len() + foreign_keys.len());
                for (name, create) in indexes {
                    sqlx::query(&format!("DROP INDEX \"{name}\""))
                        .execute(&mut connection)
                        .await?;
                    restore.push(create);
                }
                for (table, name, definition) in foreign_keys {
                    sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""))
                        .execute(&mut connection)
                        .await?;
                    restore.push(format!(
                        "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {definition}"
                    ));
                }
                // The kept status counts' per-row trigger too: the loaded tickets
                // are counted in one pass at the end (in this transaction, so no
                // other writer's ticket goes uncounted meanwhile).
                sqlx::query("ALTER TABLE tickets DISABLE TRIGGER tickets_counted_insert_delete")
                    .execute(&mut connection)
                    .await?;
                Ok(DemoLoad {
                    connection: LoadConnection::Postgres(connection),
                    restore,
                    first_ticket: None,
                })
            }
        }
    }
}

/// The load's own connection, with the pool's settings but no statement logging
/// (index builds are slow statements by design). It never returns to the pool.
async fn load_connection<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> StoreResult<DB::Connection> {
    let options = (*pool.connect_options()).clone();
    Ok(options.disable_statement_logging().connect().await?)
}

impl DemoLoad {
    pub async fn customers(
        &mut self,
        customers: &[DemoCustomer],
        contracts: &[DemoContract],
    ) -> StoreResult<()> {
        match &mut self.connection {
            LoadConnection::Sqlite(connection) => {
                for chunk in customers.chunks(SQLITE_CHUNK) {
                    let sql = insert_sql("customers", CUSTOMER_COLUMNS, chunk.len());
                    let mut query = sqlx::query(&sql);
                    for customer in chunk {
                        query = query
                            .bind(customer.id)
                            .bind(&customer.phone)
                            .bind(&customer.name)
                            .bind(&customer.email)
                            .bind(customer.created_at);
                    }
                    query.execute(&mut *connection).await?;
                }
                for chunk in contracts.chunks(SQLITE_CHUNK) {
                    let sql = insert_sql("contracts", CONTRACT_COLUMNS, chunk.len());
                    let mut query = sqlx::query(&sql);
                    for contract in chunk {
                        query = query
                            .bind(&contract.code)
                            .bind(&contract.branch)
                            .bind(contract.customer_id)
                            .bind(&contract.address)
                            .bind(&contract.ward_code)
                            .bind(&contract.district_code)
                            .bind(contract.customer_type)
                            .bind(contract.created_at);
                    }
                    query.execute(&mut *connection).await?;
                }
            }
            LoadConnection::Postgres(connection) => {
                let mut copy = CopyText::default();
                for customer in customers {
                    copy.int(customer.id);
                    copy.text(customer.phone.as_str());
                    copy.text(&customer.name);
                    copy.text(&customer.email);
                    copy.time(customer.created_at);
                    copy.end_row();
                }
                copy.send(connection, "customers", CUSTOMER_COLUMNS).await?;
                for contract in contracts {
                    copy.text(contract.code.as_str());
                    copy.text(contract.branch.as_str());
                    copy.int(contract.customer_id);
                    copy.text(&contract.address);
                    copy.text(&contract.ward_code);
                    copy.text(&contract.district_code);
                    copy.int(contract.customer_type);
                    copy.time(contract.created_at);
                    copy.end_row();
                }
                copy.send(connection, "contracts", CONTRACT_COLUMNS).await?;
            }
        }
        Ok(())
    }

    pub async fn tickets(&mut self, tickets: &[DemoTicket]) -> StoreResult<()> {
        let Some(first) = tickets.first() else {
            return Ok(());
        };
        self.first_ticket.get_or_insert(first.id);
        match &mut self.connection {
            LoadConnection::Sqlite(connection) => {
                for chunk in tickets.chunks(SQLITE_CHUNK) {
                    let sql = insert_sql("tickets", TICKET_COLUMNS, chunk.len());
                    let mut query = sqlx::query(&sql);
                    for ticket in chunk {
                        let (number, month, year) = match ticket.reading {
                            Some((number, month, year)) => (Some(number), Some(month), Some(year)),
                            None => (None, None, None),
                        };
                        query = query
                            .bind(ticket.id)
                            .bind(&ticket.feedback_code)
                            .bind(&ticket.branch)
                            .bind(ticket.id_type)
                            .bind(ticket.id_status)
                            .bind(ticket.id_priority)
                            .bind(ticket.id_process_unit)
                            .bind(ticket.source)
                            .bind(ticket.id_customer)
                            .bind(&ticket.contact_code)
                            .bind(&ticket.customer_name)
                            .bind(&ticket.customer_phone)
                            .bind(&ticket.customer_address)
                            .bind(&ticket.ward_code)
                            .bind(&ticket.district_code)
                            .bind("79")
                            .bind(&ticket.content)
                            .bind(&ticket.solution)
                            .bind(number)
                            .bind(month)
                            .bind(year)
                            .bind(ticket.date_due)
                            .bind(ticket.created_at)
                            .bind(ticket.created_at)
                            .bind(&ticket.search_text);
                    }
                    query.execute(&mut *connection).await?;
                }
                let events: Vec<(i64, &DemoEvent)> = tickets
                    .iter()
                    .flat_map(|ticket| ticket.timeline.iter().map(|event| (ticket.id, event)))
                    .collect();
                for chunk in events.chunks(SQLITE_CHUNK) {
                    let sql = insert_sql("ticket_events", EVENT_COLUMNS, chunk.len());
                    let mut query = sqlx::query(&sql);
                    for (ticket, event) in chunk {
                        query = query
                            .bind(ticket)
                            .bind(event.kind)
                            .bind(event.actor_label)
                            .bind(&event.from_value)
                            .bind(&event.to_value)
                            .bind(event.created_at);
                    }
                    query.execute(&mut *connection).await?;
                }
            }
            LoadConnection::Postgres(connection) => {
                let mut copy = CopyText::default();
                for ticket in tickets {
                    copy.int(ticket.id);
                    copy.text(&ticket.feedback_code);
                    copy.text(ticket.branch.as_str());
                    copy.int(ticket.id_type);
                    copy.int(ticket.id_status);
                    copy.int(ticket.id_priority);
                    copy.int(ticket.id_process_unit);
                    copy.text(ticket.source);
                    copy.int(ticket.id_customer);
                    copy.text(ticket.contact_code.as_str());
                    copy.text(&ticket.customer_name);
                    copy.text(ticket.customer_phone.as_str());
                    copy.text(&ticket.customer_address);
                    copy.text(&ticket.ward_code);
                    copy.text(&ticket.district_code);
                    copy.text("79");
                    copy.text(&ticket.content);
                    copy.text(&ticket.solution);
                    match ticket.reading {
                        Some((number, month, year)) => {
                            copy.int(number);
                            copy.int(month);
                            copy.int(year);
                        }
                        None => {
                            copy.null();
                            copy.null();
                            copy.null();
                        }
                    }
                    copy.time(ticket.date_due);
                    copy.time(ticket.created_at);
                    copy.time(ticket.created_at);
                    copy.text(&ticket.search_text);
                    copy.end_row();
                }
                copy.send(connection, "tickets", TICKET_COLUMNS).await?;
                for ticket in tickets {
                    for event in &ticket.timeline {
                        copy.int(ticket.id);
                        copy.text(event.kind);
                        copy.text(event.actor_label);
                        copy.text(&event.from_value);
                        copy.text(&event.to_value);
                        copy.time(event.created_at);
                        copy.end_row();
                    }
                }
                copy.send(connection, "ticket_events", EVENT_COLUMNS)
                    .await?;
            }
        }
        Ok(())
    }

    /// Rebuilds what was dropped (and SQLite's word index of the new tickets),
    /// commits, moves PostgreSQL's identity sequences past the given ids and
    /// refreshes planner statistics.
    pub async fn finish(self) -> StoreResult<()> {
        match self.connection {
            LoadConnection::Sqlite(mut connection) => {
                for sql in &self.restore {
                    sqlx::query(sql).execute(&mut connection).await?;
                }
                if let Some(first) = self.first_ticket {
                    // One pass in id order, then one merge into a single segment,
                    // instead of growing and merging the index batch by batch.
                    sqlx::query(&format!(
                        "INSERT INTO ticket_search (rowid, search_text, facets) \
                         SELECT id, search_text, {} FROM tickets WHERE id >= $1 ORDER BY id",
                        super::tickets::SQLITE_SEARCH_FACETS
                    ))
                    .bind(first)
                    .execute(&mut connection)
                    .await?;
                    sqlx::query("INSERT INTO ticket_search (ticket_search) VALUES ('optimize')")
                        .execute(&mut connection)
                        .await?;
                }
                sqlx::query("COMMIT").execute(&mut connection).await?;
                sqlx::query("ANALYZE").execute(&mut connection).await?;
                sqlx::query("PRAGMA optimize")
                    .execute(&mut connection)
                    .await?;
                connection.close().await?;
            }
            LoadConnection::Postgres(mut connection) => {
                for sql in &self.restore {
                    sqlx::query(sql).execute(&mut connection).await?;
                }
                if let Some(first) = self.first_ticket {
                    sqlx::query(
                        "INSERT INTO ticket_status_count_changes (branch_code, id_status, change) \
                         SELECT coalesce(branch_code, ''), id_status, COUNT(*) FROM tickets \
                         WHERE id >= $1 GROUP BY 1, 2",
                    )
                    .bind(first)
                    .execute(&mut connection)
                    .await?;
                }
                sqlx::query("ALTER TABLE tickets ENABLE TRIGGER tickets_counted_insert_delete")
                    .execute(&mut connection)
                    .await?;
                for table in ["customers", "tickets"] {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                         (SELECT GREATEST(MAX(id), 1) FROM {table}))"
                    ))
                    .execute(&mut connection)
                    .await?;
                }
                sqlx::query("COMMIT").execute(&mut connection).await?;
                // VACUUM too: it marks the loaded pages all-visible, without which
                // every index-only scan (the list's capped tab counts) still reads
                // the table, until autovacuum gets round to it.
                sqlx::query("VACUUM (ANALYZE) customers, contracts, tickets, ticket_events")
                    .execute(&mut connection)
                    .await?;
                connection.close().await?;
            }
        }
        Ok(())
    }
}

fn insert_sql(table: &str, columns: &str, rows: usize) -> String {
    format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        placeholders(rows, column_count(columns))
    )
}

/// Rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL,
/// backslash escapes for the characters that would end a field or a row.
#[derive(Default)]
struct CopyText {
    buffer: Vec<u8>,
}

impl CopyText {
    fn text(&mut self, value: &str) {
        for byte in value.bytes() {
            match byte {
                b'\\' => self.buffer.extend_from_slice(b"\\\\"),
                b'\t' => self.buffer.extend_from_slice(b"\\t"),
                b'\n' => self.buffer.extend_from_slice(b"\\n"),
                b'\r' => self.buffer.extend_from_slice(b"\\r"),
                other => self.buffer.push(other),
            }
        }
        self.buffer.push(b'\t');
    }

    fn int(&mut self, value: i64) {
        self.buffer.extend_from_slice(value.to_string().as_bytes());
        self.buffer.push(b'\t');
    }

    fn null(&mut self) {
        self.buffer.extend_from_slice(b"\\N\t");
    }

    fn time(&mut self, value: DateTime<Utc>) {
        self.buffer.extend_from_slice(
            value
                .format("%Y-%m-%d %H:%M:%S%.6f+00")
                .to_string()
                .as_bytes(),
        );
        self.buffer.push(b'\t');
    }

    /// Ends a row: the last field's tab becomes the row's newline.
    fn end_row(&mut self) {
        if let Some(last) = self.buffer.last_mut() {
            *last = b'\n';
        }
    }

    /// Sends the rows as one COPY into `table` and empties the buffer.
    async fn send(
        &mut self,
        connection: &mut PgConnection,
        table: &str,
        columns: &str,
    ) -> StoreResult<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut copy = connection
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        copy.send(std::mem::take(&mut self.buffer)).await?;
        copy.finish().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_ends_rows() {
        let mut copy = CopyText::default();
        copy.text("a\tb\\c\nd");
        copy.int(-7);
        copy.null();
        copy.end_row();
        assert_eq!(copy.buffer, b"a\\tb\\\\c\\nd\t-7\t\\N\n");
    }

    #[test]
    fn insert_statements_have_a_parameter_per_value() {
        assert_eq!(
            insert_sql("customers", CUSTOMER_COLUMNS, 2),
            "INSERT INTO customers (id, phone, name, email, created_at) \
             VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)"
        );
        assert_eq!(column_count(TICKET_COLUMNS), 25);
    }
}
