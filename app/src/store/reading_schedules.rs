//! Meter-reading schedules (lịch ghi chỉ số): per branch, the windows of days on
//! which customers may report their meter reading from the app.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, StoreError, StoreResult};
use crate::domain::{BillingPeriod, BranchCode, ReadingWindowId, UserId};
use crate::on_pool;

/// One window of a branch's reading schedule: inclusive calendar days, Vietnam time.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReadingWindow {
    pub id: ReadingWindowId,
    pub branch_code: BranchCode,
    /// The billing period (kỳ) the readings taken in this window are billed in.
    #[sqlx(flatten)]
    pub period: BillingPeriod,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ReadingWindow {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start_date <= day && day <= self.end_date
    }

    /// How many days the window lasts, both ends counted.
    pub fn days(&self) -> i64 {
        (self.end_date - self.start_date).num_days() + 1
    }
}

/// What a window holds, as checked by the service layer (`crate::reading_schedules`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowSpec {
    pub period: BillingPeriod,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: String,
}

/// Whether a branch accepts meter readings on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadingDay {
    /// The day lies within one of the branch's windows.
    Open,
    /// Not a reading day; `next` is the first day of the next window, if one is scheduled.
    Closed { next: Option<NaiveDate> },
}

/// A write refused because the branch already has this window on some of those days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap(pub ReadingWindow);

const COLUMNS: &str = "id, branch_code, period_year, period_month, start_date, end_date, note, \
                       created_by, created_at, updated_at";

/// Takes the branch row's lock (PostgreSQL) or the database's write lock (SQLite) before
/// the overlap check, so two concurrent saves for one branch cannot both pass it.
const LOCK_BRANCH: &str = "UPDATE branches SET sort_order = sort_order WHERE code = $1";

/// A window of the branch sharing a day with `$2..=$3`, other than window `$4`.
fn overlap_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM reading_windows \
         WHERE branch_code = $1 AND start_date <= $3 AND end_date >= $2 AND id IS DISTINCT FROM $4 \
         ORDER BY start_date LIMIT 1"
    )
}

impl Db {
    /// The branch's windows in date order; with `from`, only those ending on or after it.
    pub async fn reading_windows(
        &self,
        branch: &BranchCode,
        from: Option<NaiveDate>,
    ) -> StoreResult<Vec<ReadingWindow>> {
        let sql = match from {
            Some(_) => format!(
                "SELECT {COLUMNS} FROM reading_windows WHERE branch_code = $1 AND end_date >= $2 \
                 ORDER BY start_date"
            ),
            None => format!(
                "SELECT {COLUMNS} FROM reading_windows WHERE branch_code = $1 ORDER BY start_date"
            ),
        };
        Ok(on_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(branch);
            if let Some(from) = from {
                query = query.bind(from);
            }
            query.fetch_all(pool).await
        })?)
    }

    pub async fn reading_window(&self, id: ReadingWindowId) -> StoreResult<ReadingWindow> {
        let sql = format!("SELECT {COLUMNS} FROM reading_windows WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    /// Adds a window to the branch's schedule unless it shares a day with another one.
    #[tracing::instrument(skip_all, fields(%branch))]
    pub async fn create_reading_window(
        &self,
        branch: &BranchCode,
        window: &WindowSpec,
        created_by: Option<UserId>,
    ) -> StoreResult<Result<ReadingWindowId, Overlap>> {
        let now = Utc::now();
        let overlap_sql = overlap_sql();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let locked = sqlx::query(LOCK_BRANCH)
                .bind(branch)
                .execute(&mut *tx)
                .await?;
            if locked.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let existing: Option<ReadingWindow> = sqlx::query_as(&overlap_sql)
                .bind(branch)
                .bind(window.start_date)
                .bind(window.end_date)
                .bind(None::<ReadingWindowId>)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(existing) = existing {
                return Ok(Err(Overlap(existing)));
            }
            let id: ReadingWindowId = sqlx::query_scalar(
                "INSERT INTO reading_windows \
                 (branch_code, period_year, period_month, start_date, end_date, note, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(branch)
            .bind(i64::from(window.period.year()))
            .bind(i64::from(window.period.month()))
            .bind(window.start_date)
            .bind(window.end_date)
            .bind(&window.note)
            .bind(created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// Changes a window of `branch` (`NotFound` when the id is another branch's) unless
    /// the new days share one with another window of the branch.
    #[tracing::instrument(skip_all, fields(%branch, %id))]
    pub async fn update_reading_window(
        &self,
        branch: &BranchCode,
        id: ReadingWindowId,
        window: &WindowSpec,
    ) -> StoreResult<Result<(), Overlap>> {
        let now = Utc::now();
        let overlap_sql = overlap_sql();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK_BRANCH)
                .bind(branch)
                .execute(&mut *tx)
                .await?;
            let updated = sqlx::query(
                "UPDATE reading_windows SET period_year = $3, period_month = $4, start_date = $5, \
                 end_date = $6, note = $7, updated_at = $8 WHERE id = $1 AND branch_code = $2",
            )
            .bind(id)
            .bind(branch)
            .bind(i64::from(window.period.year()))
            .bind(i64::from(window.period.month()))
            .bind(window.start_date)
            .bind(window.end_date)
            .bind(&window.note)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let existing: Option<ReadingWindow> = sqlx::query_as(&overlap_sql)
                .bind(branch)
                .bind(window.start_date)
                .bind(window.end_date)
                .bind(Some(id))
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(existing) = existing {
                // Dropping the transaction rolls the update back.
                return Ok(Err(Overlap(existing)));
            }
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    /// Removes a window of `branch` (`NotFound` when the id is another branch's).
    #[tracing::instrument(skip_all, fields(%branch, %id))]
    pub async fn delete_reading_window(
        &self,
        branch: &BranchCode,
        id: ReadingWindowId,
    ) -> StoreResult<()> {
        let sql = "DELETE FROM reading_windows WHERE id = $1 AND branch_code = $2";
        let deleted = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(branch)
            .execute(pool)
            .await
            .map(|result| result.rows_affected()))?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Whether `today` (a Vietnam calendar day) is a reading day of the branch, and if
    /// not, when the next window starts.
    pub async fn reading_day(
        &self,
        branch: &BranchCode,
        today: NaiveDate,
    ) -> StoreResult<ReadingDay> {
        // The earliest-starting window not yet over: it holds today if any window does.
        let sql = "SELECT start_date FROM reading_windows WHERE branch_code = $1 AND end_date >= $2 \
                   ORDER BY start_date LIMIT 1";
        let first: Option<NaiveDate> = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(branch)
            .bind(today)
            .fetch_optional(pool)
            .await)?;
        Ok(match first {
            Some(start) if start <= today => ReadingDay::Open,
            next => ReadingDay::Closed { next },
        })
    }
}
