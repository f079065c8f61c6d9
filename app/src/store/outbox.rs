//! The outbox of messages to peer instances (HQ ↔ branch), and each branch's
//! remote settings.
//!
//! A message is written in the transaction of the change it reports
//! ([`enqueue`], called by the ticket store), then claimed by a worker with a
//! lease, delivered in order per (ticket, peer), and marked delivered, retried
//! later, or failed with the peer's answer kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tickets::TicketChange;
use super::{Backend, Db, StoreResult};
use crate::domain::{BranchCode, TicketId};
use crate::on_pool;

/// The peer name of HQ, as seen from a branch instance.
pub const HQ_PEER: &str = "HQ";

/// One message to a peer.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub peer: String,
    pub ticket_id: TicketId,
    pub kind: String,
    pub payload: String,
    pub attachment_ids: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub peer_status: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl OutboxMessage {
    pub fn attachment_ids(&self) -> Vec<i64> {
        serde_json::from_str(&self.attachment_ids).unwrap_or_default()
    }

    pub fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.payload).unwrap_or_default()
    }
}

const MESSAGE_COLUMNS: &str = "id, peer, ticket_id, kind, payload, attachment_ids, state, attempts, \
    next_attempt_at, last_error, peer_status, created_at, delivered_at";

/// The fields a peer must apply for these changes (internal notes and the local
/// assignee stay local). Empty when nothing crosses.
pub fn change_payload(changes: &[TicketChange]) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut fields = serde_json::Map::new();
    for change in changes {
        match change {
            TicketChange::Status { to, .. } => {
                fields.insert("id_status".into(), Value::from(*to));
            }
            TicketChange::Priority(priority) => {
                fields.insert("id_priority".into(), Value::from(*priority));
            }
            TicketChange::Due(Some(due)) => {
                fields.insert("date_due".into(), Value::from(due.to_rfc3339()));
            }
            TicketChange::Solution(text) => {
                fields.insert("solution".into(), Value::from(text.clone()));
            }
            TicketChange::Content(text) => {
                fields.insert("content".into(), Value::from(text.clone()));
            }
            TicketChange::RequestType(id_type) => {
                fields.insert("id_type".into(), Value::from(*id_type));
            }
            TicketChange::Department(Some(department))
            | TicketChange::Assign {
                department: Some(department),
                ..
            } => {
                fields.insert("id_process_unit".into(), Value::from(*department));
            }
            TicketChange::Due(None)
            | TicketChange::Department(None)
            | TicketChange::Assign { .. }
            | TicketChange::Note { .. } => {}
        }
    }
    fields
}

/// The statement of [`enqueue`]'s rules, for the ticket `which` picks (a condition
/// on `t`, a row of `tickets`, or of `from`: a CTE of just-inserted tickets with
/// their `id`, `branch_code` and `api_account_id`);
/// `[kind, payload, attachment_ids, now, origin]` are the calling statement's
/// placeholders for those values.
pub(crate) fn enqueue_sql(
    from: &str,
    which: &str,
    [kind, payload, ids, now, origin]: [&str; 5],
) -> String {
    format!(
        "INSERT INTO outbox_messages (peer, ticket_id, kind, payload, attachment_ids, state, attempts, next_attempt_at, created_at) \
         SELECT b.code, t.id, {kind}, {payload}, {ids}, 'pending', 0, {now}, {now} FROM {from} t JOIN branches b ON b.code = t.branch_code \
         WHERE {which} AND b.remote_enabled \
           AND NOT EXISTS (SELECT 1 FROM api_accounts a WHERE a.id = {origin} AND a.kind = 'branch' AND a.branch_code = t.branch_code) \
         UNION ALL \
         SELECT 'HQ', t.id, {kind}, {payload}, {ids}, 'pending', 0, {now}, {now} FROM {from} t JOIN api_accounts o ON o.id = t.api_account_id \
         WHERE {which} AND o.kind = 'hq' \
           AND NOT EXISTS (SELECT 1 FROM api_accounts a WHERE a.id = {origin} AND a.kind = 'hq')"
    )
}

/// Writes the messages a change of `ticket` owes to peers, inside the change's
/// transaction: to the ticket's branch when HQ has its remote TCRM enabled, and to
/// HQ when the ticket came from HQ (created by an `hq` API account) — never back
/// to the peer the change came from (`origin`, the API account that made it).
pub(crate) async fn enqueue<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    ticket: TicketId,
    kind: &str,
    payload: &str,
    attachment_ids: &[i64],
    origin: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> TicketId: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let ids = serde_json::to_string(attachment_ids).unwrap_or_else(|_| "[]".into());
    let sql = enqueue_sql("tickets", "t.id = $1", ["$2", "$3", "$4", "$5", "$6"]);
    sqlx::query(&sql)
        .bind(ticket)
        .bind(kind.to_owned())
        .bind(payload.to_owned())
        .bind(ids)
        .bind(now)
        .bind(origin)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A branch's own TCRM, as HQ reaches it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BranchRemote {
    pub code: BranchCode,
    pub name: String,
    pub base_url: String,
    pub uat_base_url: String,
    /// `production` or `uat`: which URL HQ uses.
    pub remote_environment: String,
    pub remote_enabled: bool,
    pub remote_username: String,
    pub remote_password_sealed: String,
}

impl BranchRemote {
    /// The base URL in use, without a trailing slash (empty when none is set).
    pub fn active_url(&self) -> &str {
        let url = if self.remote_environment == "uat" {
            &self.uat_base_url
        } else {
            &self.base_url
        };
        url.trim_end_matches('/')
    }
}

/// New remote settings; `password_sealed: None` keeps the stored password.
pub struct RemoteSettings<'a> {
    pub base_url: &'a str,
    pub uat_base_url: &'a str,
    pub environment: &'a str,
    pub enabled: bool,
    pub username: &'a str,
    pub password_sealed: Option<&'a str>,
}

/// Counts of the outbox by state, for the admin page and metrics.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl Db {
    pub async fn branch_remotes(&self) -> StoreResult<Vec<BranchRemote>> {
        let sql = "SELECT code, name, base_url, uat_base_url, remote_environment, remote_enabled, remote_username, \
                   remote_password_sealed FROM branches ORDER BY sort_order";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn branch_remote(&self, code: &str) -> StoreResult<Option<BranchRemote>> {
        let sql = "SELECT code, name, base_url, uat_base_url, remote_environment, remote_enabled, remote_username, \
                   remote_password_sealed FROM branches WHERE code = $1";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(code)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn set_branch_remote(
        &self,
        code: &BranchCode,
        settings: &RemoteSettings<'_>,
    ) -> StoreResult<()> {
        let sql = "UPDATE branches SET base_url = $2, uat_base_url = $3, remote_environment = $4, remote_enabled = $5, \
                   remote_username = $6, remote_password_sealed = COALESCE($7, remote_password_sealed) WHERE code = $1";
        let changed = on_pool!(self, |pool| sqlx::query(sql)
            .bind(code)
            .bind(settings.base_url)
            .bind(settings.uat_base_url)
            .bind(settings.environment)
            .bind(settings.enabled)
            .bind(settings.username)
            .bind(settings.password_sealed)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(super::StoreError::NotFound);
        }
        Ok(())
    }

    /// Claims up to `limit` due messages for `lease_until`: pending, not leased, and
    /// the oldest undelivered message of their (ticket, peer). One worker gets each.
    pub async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        // Looked for first with a read: the worker polls whether or not anything is
        // due, and on SQLite even an UPDATE that changes nothing waits for the one
        // write lock, queuing behind the ticket writes (1.2 s under the API benchmark).
        let due: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) LIMIT 1"
        )
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox_messages SET claimed_until = $2, attempts = attempts + 1 WHERE id IN (\
               SELECT o.id FROM outbox_messages o WHERE o.state = 'pending' AND o.next_attempt_at <= $1 \
               AND (o.claimed_until IS NULL OR o.claimed_until < $1) \
               AND NOT EXISTS (SELECT 1 FROM outbox_messages e WHERE e.ticket_id = o.ticket_id AND e.peer = o.peer \
                               AND e.id < o.id AND e.state <> 'delivered') \
               ORDER BY o.id LIMIT $3 {lock}) RETURNING {MESSAGE_COLUMNS}"
        );
        let mut claimed: Vec<OutboxMessage> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        claimed.sort_by_key(|message| message.id);
        Ok(claimed)
    }

    pub async fn outbox_delivered(
        &self,
        id: i64,
        peer_status: u16,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE outbox_messages SET state = 'delivered', delivered_at = $2, claimed_until = NULL, \
                   peer_status = $3, last_error = '' WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .bind(i64::from(peer_status))
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// A temporary failure: try again at `next_attempt_at`.
    pub async fn outbox_retry_later(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        peer_status: Option<u16>,
    ) -> StoreResult<()> {
        let sql = "UPDATE outbox_messages SET next_attempt_at = $2, claimed_until = NULL, last_error = $3, \
                   peer_status = $4 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(next_attempt_at)
            .bind(error)
            .bind(peer_status.map(i64::from))
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// A permanent refusal: kept with the peer's answer until an admin retries it.
    pub async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        peer_status: Option<u16>,
    ) -> StoreResult<()> {
        let sql = "UPDATE outbox_messages SET state = 'failed', claimed_until = NULL, last_error = $2, \
                   peer_status = $3 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(error)
            .bind(peer_status.map(i64::from))
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// An admin's retry: a failed or waiting message becomes due now.
    pub async fn outbox_retry_now(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE outbox_messages SET state = 'pending', next_attempt_at = $2, claimed_until = NULL \
                   WHERE id = $1 AND state <> 'delivered'";
        let changed = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(super::StoreError::NotFound);
        }
        Ok(())
    }

    /// A ticket's messages, newest first.
    pub async fn ticket_outbox(&self, ticket: TicketId) -> StoreResult<Vec<OutboxMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox_messages WHERE ticket_id = $1 ORDER BY id DESC LIMIT 50"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(ticket)
            .fetch_all(pool)
            .await)?)
    }

    /// Failed messages, and pending ones waiting since before `stuck_before`.
    pub async fn outbox_problems(
        &self,
        stuck_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox_messages WHERE state = 'failed' \
             OR (state = 'pending' AND created_at < $1) ORDER BY id LIMIT $2"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(stuck_before)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn outbox_message(&self, id: i64) -> StoreResult<OutboxMessage> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM outbox_messages WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    pub async fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
        let sql = "SELECT state, COUNT(*) FROM outbox_messages GROUP BY state";
        let rows: Vec<(String, i64)> =
            on_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        let mut counts = OutboxCounts::default();
        for (state, count) in rows {
            match state.as_str() {
                "pending" => counts.pending = count,
                "delivered" => counts.delivered = count,
                "failed" => counts.failed = count,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// The ticket an API account already updated under this idempotency key.
    pub async fn api_receipt(&self, account: i64, key: &str) -> StoreResult<Option<TicketId>> {
        let sql =
            "SELECT ticket_id FROM api_receipts WHERE api_account_id = $1 AND idempotency_key = $2";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(account)
            .bind(key)
            .fetch_optional(pool)
            .await)?)
    }
}

/// An outbox message with its ticket's code, as the sync page lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxProblem {
    #[sqlx(flatten)]
    pub message: OutboxMessage,
    pub ticket_code: Option<String>,
}

fn fold_counts(rows: Vec<(String, i64)>) -> OutboxCounts {
    let mut counts = OutboxCounts::default();
    for (state, count) in rows {
        match state.as_str() {
            "pending" => counts.pending = count,
            "delivered" => counts.delivered = count,
            "failed" => counts.failed = count,
            _ => {}
        }
    }
    counts
}

// Reads of the sync admin page, which a branch admin sees limited to the
// tickets of their branch (the limit applies inside the query, so another
// branch's backlog cannot push theirs off the page).
impl Db {
    /// [`Db::outbox_problems`] with each ticket's code; only the tickets of
    /// `branch` when given.
    pub async fn outbox_problems_of(
        &self,
        branch: Option<&BranchCode>,
        stuck_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxProblem>> {
        let sql = format!(
            "SELECT m.*, t.feedback_code AS ticket_code FROM (\
               SELECT {MESSAGE_COLUMNS} FROM outbox_messages \
               WHERE (state = 'failed' OR (state = 'pending' AND created_at < $1)) \
                 AND ($3 IS NULL OR ticket_id IN (SELECT id FROM tickets WHERE branch_code = $3)) \
               ORDER BY id LIMIT $2) m \
             JOIN tickets t ON t.id = m.ticket_id ORDER BY m.id"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(stuck_before)
            .bind(limit)
            .bind(branch)
            .fetch_all(pool)
            .await)?)
    }

    /// [`Db::outbox_counts`] of the tickets of one branch.
    pub async fn branch_outbox_counts(&self, branch: &BranchCode) -> StoreResult<OutboxCounts> {
        let sql = "SELECT state, COUNT(*) FROM outbox_messages \
                   WHERE ticket_id IN (SELECT id FROM tickets WHERE branch_code = $1) GROUP BY state";
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(branch)
            .fetch_all(pool)
            .await)?;
        Ok(fold_counts(rows))
    }
}
