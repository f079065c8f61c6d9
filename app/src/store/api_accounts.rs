//! API accounts of the partner REST API and their bearer tokens.
//!
//! Tokens are kept only as their SHA-256; deleting an account's token rows is
//! how a password change or a deactivation revokes them all at once.

use chrono::{DateTime, Utc};

use super::{Db, StoreResult};
use crate::domain::{ApiAccountKind, BranchCode};
use crate::on_pool;

/// An API account as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiAccount {
    pub id: i64,
    pub username: String,
    pub kind: ApiAccountKind,
    pub branch_code: Option<BranchCode>,
    pub email: String,
    #[sqlx(default)]
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// An account in the admin list, with how many tokens are live.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiAccountSummary {
    pub id: i64,
    pub username: String,
    pub kind: ApiAccountKind,
    pub branch_code: Option<BranchCode>,
    pub email: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub live_tokens: i64,
}

/// The account a valid token belongs to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenOwner {
    pub account_id: i64,
    pub username: String,
    pub kind: ApiAccountKind,
    pub branch_code: Option<BranchCode>,
    pub email: String,
    pub token_last_used_at: DateTime<Utc>,
}

/// A new API account, already validated and hashed.
pub struct NewApiAccount<'a> {
    pub username: &'a str,
    pub kind: ApiAccountKind,
    pub branch: Option<&'a BranchCode>,
    pub email: &'a str,
    pub password_hash: &'a str,
}

const ACCOUNT_COLUMNS: &str =
    "id, username, kind, branch_code, email, password_hash, active, created_at, last_used_at";

impl Db {
    pub async fn create_api_account(&self, new: &NewApiAccount<'_>) -> StoreResult<i64> {
        let now = Utc::now();
        let sql = "INSERT INTO api_accounts (username, kind, branch_code, email, password_hash, active, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(new.username)
            .bind(new.kind)
            .bind(new.branch)
            .bind(new.email)
            .bind(new.password_hash)
            .bind(now)
            .fetch_one(pool)
            .await)?)
    }

    pub async fn api_account(&self, id: i64) -> StoreResult<ApiAccount> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM api_accounts WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    pub async fn api_account_by_username(&self, username: &str) -> StoreResult<Option<ApiAccount>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM api_accounts WHERE username = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await)?)
    }

    /// Every account (of one branch, when given), with its live token count.
    pub async fn list_api_accounts(
        &self,
        branch: Option<&BranchCode>,
    ) -> StoreResult<Vec<ApiAccountSummary>> {
        let sql = "SELECT a.id, a.username, a.kind, a.branch_code, a.email, a.active, a.created_at, a.last_used_at, \
                   (SELECT COUNT(*) FROM api_tokens t WHERE t.account_id = a.id) AS live_tokens \
                   FROM api_accounts a WHERE ($1 IS NULL OR a.branch_code = $1) ORDER BY a.username";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(branch)
            .fetch_all(pool)
            .await)?)
    }

    /// Stores a new token for the account, drops the oldest beyond `keep`, and
    /// records the account's use; one transaction.
    pub async fn issue_api_token(
        &self,
        account_id: i64,
        token_hash: &str,
        keep: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, account_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(token_hash)
            .bind(account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM api_tokens WHERE account_id = $1 AND token_hash NOT IN \
                 (SELECT token_hash FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, token_hash LIMIT $2)",
            )
            .bind(account_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE api_accounts SET last_used_at = $2 WHERE id = $1")
                .bind(account_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        // The oldest tokens beyond `keep` stopped working: no read of a token's
        // owner made before is reused.
        crate::auth::accounts_changed();
        Ok(())
    }

    /// Tokens the account was given since `since` (oldest first), to spot clients
    /// that sign in before every call.
    pub async fn api_tokens_issued_since(
        &self,
        account_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        let sql = "SELECT created_at FROM api_tokens WHERE account_id = $1 AND created_at >= $2 ORDER BY created_at";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(since)
            .fetch_all(pool)
            .await)?)
    }

    /// The active account behind a token hash, if the token is live.
    pub async fn api_token_owner(&self, token_hash: &str) -> StoreResult<Option<TokenOwner>> {
        let sql = "SELECT a.id AS account_id, a.username, a.kind, a.branch_code, a.email, t.last_used_at AS token_last_used_at \
                   FROM api_tokens t JOIN api_accounts a ON a.id = t.account_id \
                   WHERE t.token_hash = $1 AND a.active";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// Records that a token (and its account) was used now.
    pub async fn touch_api_token(
        &self,
        token_hash: &str,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE api_accounts SET last_used_at = $2 WHERE id = $1")
                .bind(account_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// A new password; every token of the account stops working in the same transaction.
    pub async fn set_api_account_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        let now = Utc::now();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE api_accounts SET password_hash = $2, updated_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(super::StoreError::NotFound);
            }
            sqlx::query("DELETE FROM api_tokens WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        // Tokens were revoked: no read of their owner made before is reused.
        crate::auth::accounts_changed();
        Ok(())
    }

    /// Activates or deactivates an account; deactivation revokes its tokens.
    pub async fn set_api_account_active(&self, id: i64, active: bool) -> StoreResult<()> {
        let now = Utc::now();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed =
                sqlx::query("UPDATE api_accounts SET active = $2, updated_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(active)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if changed == 0 {
                return Err(super::StoreError::NotFound);
            }
            if !active {
                sqlx::query("DELETE FROM api_tokens WHERE account_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        // Tokens were revoked: no read of their owner made before is reused.
        crate::auth::accounts_changed();
        Ok(())
    }
}
