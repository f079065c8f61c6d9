//! Staff sessions, in TCRM's own `staff_sessions` table on either backend.
//!
//! tower-sessions keeps a session as an id, a key-value map and an expiry; this
//! store also writes the signed-in account and its epoch as columns (read from the
//! map when the session is saved), so that [`Db::session_account`] resolves a
//! request's user in one statement, the session joined to its account.
//!
//! The portal reuses a session it resolved a moment ago
//! ([`crate::auth::SignedInCache`]) only while nothing changed since: a saved
//! session drops its own entry, a deleted one (and any write to an account in
//! `users`) ends with [`crate::auth::accounts_changed`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::users::{COLUMNS as USER_COLUMNS, StaffUserRow};
use super::{Db, StoreResult};
use crate::on_pool;

/// The session of a request, with the account it signed in (if still there).
#[derive(Debug)]
pub struct SessionAccount {
    /// When the session dies unless it is used (and so renewed) before.
    pub expires_at: DateTime<Utc>,
    /// The account's epoch when the session signed in.
    pub epoch: i64,
    pub user: super::users::StaffUser,
}

#[derive(sqlx::FromRow)]
struct SessionAccountRow {
    session_expires_at: i64,
    session_epoch_at_sign_in: i64,
    #[sqlx(flatten)]
    user: StaffUserRow,
}

impl Db {
    /// The signed-in account of the live session `id`: `None` for an unknown or
    /// expired session, or one that holds no sign-in.
    pub async fn session_account(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionAccount>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let user_columns = USER_COLUMNS
                .split(',')
                .map(|column| format!("u.{}", column.trim()))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT s.expires_at AS session_expires_at, s.epoch AS session_epoch_at_sign_in, {user_columns} \
                 FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id \
                 WHERE s.id = $1 AND s.expires_at > $2 AND s.epoch IS NOT NULL"
            )
        });
        let sql: &str = &SQL;
        let row: Option<SessionAccountRow> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .bind(now.timestamp())
            .fetch_optional(pool)
            .await)?;
        row.map(|row| {
            Ok(SessionAccount {
                expires_at: DateTime::from_timestamp(row.session_expires_at, 0).unwrap_or(now),
                epoch: row.session_epoch_at_sign_in,
                user: row.user.try_into()?,
            })
        })
        .transpose()
    }
}

fn backend_error(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// The tower-sessions store over [`Db`], keeping the portal's cache of resolved
/// sessions true to what it writes.
#[derive(Clone, Debug)]
pub struct SessionBackend {
    db: Db,
    signed_in: std::sync::Arc<crate::auth::SignedInCache>,
}

impl SessionBackend {
    pub fn new(db: &Db, signed_in: std::sync::Arc<crate::auth::SignedInCache>) -> SessionBackend {
        SessionBackend {
            db: db.clone(),
            signed_in,
        }
    }

    /// Writes `record` as a row: its map, its expiry, and the account and epoch
    /// the map holds; `on_conflict` says what an existing row with the id gets.
    /// Answers how many rows were written.
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<u64> {
        let data = serde_json::to_string(&record.data)
            .map_err(|error| session_store::Error::Encode(error.to_string()))?;
        let signed_in = crate::auth::AuthSession::signed_in_of(&record.data);
        let sql = format!(
            "INSERT INTO staff_sessions (id, data, expires_at, user_id, epoch) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) {on_conflict}"
        );
        let written = on_pool!(&self.db, |pool| sqlx::query(&sql)
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .bind(signed_in.map(|(user, _)| user))
            .bind(signed_in.map(|(_, epoch)| epoch))
            .execute(pool)
            .await
            .map(|done| done.rows_affected()));
        // A new deadline (a renewal) or a new map under this id: only this
        // session's entry is stale. A read that raced this write can only have
        // kept the row as it was before — for a renewal, the older deadline,
        // which at worst renews once more; a sign-in takes a fresh id, and the
        // old one is deleted.
        self.signed_in.forget(&record.id.to_string());
        written.map_err(backend_error)
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id; on the (astronomically rare) collision, another.
        while self.write(record, "DO NOTHING").await? == 0 {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            record,
            "DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
             user_id = excluded.user_id, epoch = excluded.epoch",
        )
        .await
        .map(|_| ())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = on_pool!(&self.db, |pool| sqlx::query_as(
            "SELECT data, expires_at FROM staff_sessions WHERE id = $1 AND expires_at > $2"
        )
        .bind(session_id.to_string())
        .bind(Utc::now().timestamp())
        .fetch_optional(pool)
        .await)
        .map_err(backend_error)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *session_id,
            data: serde_json::from_str(&data)
                .map_err(|error| session_store::Error::Decode(error.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|error| session_store::Error::Decode(error.to_string()))?,
        }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let deleted = on_pool!(&self.db, |pool| sqlx::query(
            "DELETE FROM staff_sessions WHERE id = $1"
        )
        .bind(session_id.to_string())
        .execute(pool)
        .await
        .map(|_| ()));
        // A sign-out, or the old id of a sign-in: every entry read before now
        // stops being reused, so that no read racing the delete outlives it.
        crate::auth::accounts_changed();
        deleted.map_err(backend_error)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_pool!(&self.db, |pool| sqlx::query(
            "DELETE FROM staff_sessions WHERE expires_at <= $1"
        )
        .bind(Utc::now().timestamp())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend_error)
    }
}
