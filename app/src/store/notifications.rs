//! The customer app's inbox: notifications per phone, written by the API (and,
//! later, by campaigns), listed, counted and marked read by the app.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, StoreResult};
use crate::domain::{BranchCode, Phone, UserId};
use crate::on_pool;

/// A notification to store, already validated.
#[derive(Clone, Debug, Default)]
pub struct NewNotification {
    pub phone: Option<Phone>,
    pub title: String,
    pub content: String,
    pub id_module: Option<i64>,
    pub option_module: String,
    pub branch: Option<BranchCode>,
    pub sender_api_account: Option<i64>,
    pub sender_user: Option<UserId>,
}

/// A notification as the app lists it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub phone: Phone,
    pub title: String,
    pub content: String,
    pub id_module: Option<i64>,
    pub option_module: String,
    pub branch_code: Option<BranchCode>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Stores notifications (one per recipient) in one transaction, returning their ids.
    pub async fn insert_notifications(&self, items: &[NewNotification]) -> StoreResult<Vec<i64>> {
        let now = Utc::now();
        let sql = "INSERT INTO app_notifications (phone, title, content, id_module, option_module, branch_code, \
                   sender_api_account_id, sender_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(items.len());
            for item in items {
                let id: i64 = sqlx::query_scalar(sql)
                    .bind(item.phone.as_ref())
                    .bind(&item.title)
                    .bind(&item.content)
                    .bind(item.id_module)
                    .bind(&item.option_module)
                    .bind(item.branch.as_ref())
                    .bind(item.sender_api_account)
                    .bind(item.sender_user)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                ids.push(id);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(ids)
        })?)
    }

    /// A phone's notifications, newest first, before the id `before` when given.
    pub async fn notifications_of_phone(
        &self,
        phone: &Phone,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        let sql = "SELECT id, phone, title, content, id_module, option_module, branch_code, created_at, read_at \
                   FROM app_notifications WHERE phone = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(phone)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn unread_notification_count(&self, phone: &Phone) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM app_notifications WHERE phone = $1 AND read_at IS NULL";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(phone)
            .fetch_one(pool)
            .await)?)
    }

    /// Marks a phone's notifications read (the given ids, or all of them); returns how many changed.
    pub async fn mark_notifications_read(
        &self,
        phone: &Phone,
        ids: Option<&[i64]>,
    ) -> StoreResult<u64> {
        let now = Utc::now();
        let changed = match ids {
            None => on_pool!(self, |pool| sqlx::query(
                "UPDATE app_notifications SET read_at = $2 WHERE phone = $1 AND read_at IS NULL"
            )
            .bind(phone)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?,
            Some(ids) => {
                let mut changed = 0;
                for id in ids {
                    changed += on_pool!(self, |pool| {
                        sqlx::query(
                        "UPDATE app_notifications SET read_at = $3 WHERE phone = $1 AND id = $2 AND read_at IS NULL"
                    )
                    .bind(phone)
                    .bind(*id)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
                    })?;
                }
                changed
            }
        };
        Ok(changed)
    }
}
