//! Failed sign-ins per account and per address, and the lock they earn.

use chrono::{DateTime, Duration, Utc};

use super::{Db, StoreResult};
use crate::on_pool;

/// How failures turn into a lock: after `threshold` failures the key is locked for
/// `base`, doubling with each further failure up to `max`.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    pub threshold: i64,
    pub base: Duration,
    pub max: Duration,
    /// Failures older than this are forgotten.
    pub forget_after: Duration,
}

impl ThrottlePolicy {
    pub fn lock_for(&self, failures: i64) -> Option<Duration> {
        if failures < self.threshold {
            return None;
        }
        let doublings = u32::try_from((failures - self.threshold).min(20)).unwrap_or(20);
        let seconds = self.base.num_seconds().saturating_mul(1_i64 << doublings);
        Some(Duration::seconds(seconds.min(self.max.num_seconds())))
    }
}

#[derive(sqlx::FromRow)]
struct ThrottleRow {
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
    last_failure_at: DateTime<Utc>,
}

impl Db {
    /// When the key is locked now, the moment the lock ends.
    pub async fn throttle_locked_until(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let sql =
            "SELECT failures, locked_until, last_failure_at FROM login_throttle WHERE key = $1";
        let row: Option<ThrottleRow> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(key)
            .fetch_optional(pool)
            .await)?;
        Ok(row
            .and_then(|row| row.locked_until)
            .filter(|until| *until > now))
    }

    /// Counts one more failure for the key; returns the lock's end if it is now locked.
    pub async fn throttle_record_failure(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let sql =
            "SELECT failures, locked_until, last_failure_at FROM login_throttle WHERE key = $1";
        let row: Option<ThrottleRow> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(key)
            .fetch_optional(pool)
            .await)?;
        let previous = row
            .filter(|row| now - row.last_failure_at < policy.forget_after)
            .map(|row| row.failures)
            .unwrap_or(0);
        let failures = previous + 1;
        let locked_until = policy.lock_for(failures).map(|duration| now + duration);
        let upsert = "INSERT INTO login_throttle (key, failures, locked_until, last_failure_at) \
                      VALUES ($1, $2, $3, $4) \
                      ON CONFLICT (key) DO UPDATE SET failures = $2, locked_until = $3, last_failure_at = $4";
        on_pool!(self, |pool| sqlx::query(upsert)
            .bind(key)
            .bind(failures)
            .bind(locked_until)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(locked_until)
    }

    pub async fn throttle_clear(&self, key: &str) -> StoreResult<()> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM login_throttle WHERE key = $1"
        )
        .bind(key)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_and_is_capped() {
        let policy = ThrottlePolicy {
            threshold: 5,
            base: Duration::seconds(30),
            max: Duration::seconds(3600),
            forget_after: Duration::hours(1),
        };
        assert_eq!(policy.lock_for(4), None);
        assert_eq!(policy.lock_for(5), Some(Duration::seconds(30)));
        assert_eq!(policy.lock_for(6), Some(Duration::seconds(60)));
        assert_eq!(policy.lock_for(7), Some(Duration::seconds(120)));
        assert_eq!(policy.lock_for(40), Some(Duration::seconds(3600)));
    }
}
