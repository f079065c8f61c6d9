//! Bulk loading of generated demo and benchmark data (`tcrm demo-data`).
//!
//! Rows go in as multi-row INSERTs of a few hundred rows inside one transaction per
//! batch; ids are given explicitly so codes and search text are computed up front.

use chrono::{DateTime, Utc};

use super::{Backend, Db, StoreResult};
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
    pub created_at: DateTime<Utc>,
    pub search_text: String,
}

/// Rows per INSERT statement: statements with tens of thousands of parameters are
/// far slower to prepare than several smaller ones.
const CHUNK: usize = 100;

/// `($1, $2, …), (…)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
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

    pub async fn demo_insert_customers(
        &self,
        customers: &[DemoCustomer],
        contracts: &[DemoContract],
    ) -> StoreResult<()> {
        let overriding = if self.backend() == Backend::Postgres {
            "OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for customers in customers.chunks(CHUNK) {
                let customer_sql = format!(
                    "INSERT INTO customers (id, phone, name, email, created_at) {overriding} VALUES {}",
                    placeholders(customers.len(), 5)
                );
                let mut query = sqlx::query(&customer_sql);
                for customer in customers {
                    query = query
                        .bind(customer.id)
                        .bind(&customer.phone)
                        .bind(&customer.name)
                        .bind(&customer.email)
                        .bind(customer.created_at);
                }
                query.execute(&mut *tx).await?;
            }
            for contracts in contracts.chunks(CHUNK) {
                let contract_sql = format!(
                    "INSERT INTO contracts (code, branch_code, customer_id, address, ward_code, district_code, customer_type, created_at) VALUES {}",
                    placeholders(contracts.len(), 8)
                );
                let mut query = sqlx::query(&contract_sql);
                for contract in contracts {
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
                query.execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    pub async fn demo_insert_tickets(&self, tickets: &[DemoTicket]) -> StoreResult<()> {
        const COLUMNS: usize = 24;
        let overriding = if self.backend() == Backend::Postgres {
            "OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        let sql_for = |rows: usize| {
            format!(
                "INSERT INTO tickets (id, feedback_code, branch_code, id_type, id_status, id_priority, id_process_unit, source, \
             id_customer, contact_code, customer_name, customer_phone, customer_address, ward_code, district_code, province_code, \
             content, solution, reading_number, reading_month, reading_year, date_due, created_at, updated_at, search_text) \
             {overriding} VALUES {}",
                // search_text is the 25th column: appended per row below.
                placeholders(rows, COLUMNS + 1)
            )
        };
        let fts_sql_for = |rows: usize| {
            format!(
                "INSERT INTO ticket_search (rowid, search_text) VALUES {}",
                placeholders(rows, 2)
            )
        };
        let is_sqlite = self.backend() == Backend::Sqlite;
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for tickets in tickets.chunks(CHUNK) {
                let sql = sql_for(tickets.len());
                let mut query = sqlx::query(&sql);
                for ticket in tickets {
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
                query.execute(&mut *tx).await?;
                if is_sqlite {
                    let fts_sql = fts_sql_for(tickets.len());
                    let mut query = sqlx::query(&fts_sql);
                    for ticket in tickets {
                        query = query.bind(ticket.id).bind(&ticket.search_text);
                    }
                    query.execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// After a bulk load: move PostgreSQL's identity sequences past the given ids and
    /// refresh planner statistics on both backends.
    pub async fn demo_finish(&self) -> StoreResult<()> {
        match self {
            Db::Postgres(pool) => {
                for table in ["customers", "tickets"] {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT GREATEST(MAX(id), 1) FROM {table}))"
                    ))
                    .execute(pool)
                    .await?;
                }
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            Db::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
                sqlx::query("PRAGMA optimize").execute(pool).await?;
            }
        }
        Ok(())
    }
}
