//! Staff accounts.

use chrono::{DateTime, Utc};

use super::{Db, StoreResult};
use crate::domain::{BranchCode, Language, Role, UserId, Username};
use crate::on_pool;

/// A staff account as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffUserRow {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub branch_code: Option<BranchCode>,
    pub active: bool,
    pub language: String,
    pub must_change_password: bool,
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// A staff account, decoded into domain values.
#[derive(Clone, Debug)]
pub struct StaffUser {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub branch: Option<BranchCode>,
    pub active: bool,
    pub language: Language,
    pub must_change_password: bool,
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl TryFrom<StaffUserRow> for StaffUser {
    type Error = super::StoreError;

    fn try_from(row: StaffUserRow) -> Result<Self, Self::Error> {
        let role = Role::parse(&row.role).map_err(|error| {
            super::StoreError::Other(anyhow::anyhow!("staff_users.role: {error}"))
        })?;
        Ok(StaffUser {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            password_hash: row.password_hash,
            role,
            branch: row.branch_code,
            active: row.active,
            language: Language::from_code(&row.language),
            must_change_password: row.must_change_password,
            session_epoch: row.session_epoch,
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
        })
    }
}

/// What is needed to create a staff account; the password is already hashed.
pub struct NewStaffUser<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub branch: Option<&'a BranchCode>,
    pub must_change_password: bool,
}

/// Which accounts a listing may include.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Only accounts of this branch (a branch admin's listing always sets it).
    pub branch: Option<BranchCode>,
    /// Part of a username or display name.
    pub text: Option<String>,
}

pub(super) const COLUMNS: &str = "id, username, display_name, password_hash, role, branch_code, active, \
     language, must_change_password, session_epoch, created_at, updated_at, last_sign_in_at";

fn decode(rows: Vec<StaffUserRow>) -> StoreResult<Vec<StaffUser>> {
    rows.into_iter().map(StaffUser::try_from).collect()
}

impl Db {
    #[tracing::instrument(skip(self, user), fields(username = %user.username))]
    pub async fn create_staff_user(&self, user: &NewStaffUser<'_>) -> StoreResult<UserId> {
        let now = Utc::now();
        let sql = "INSERT INTO staff_users (username, display_name, password_hash, role, branch_code, \
                   must_change_password, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
        let id: Result<UserId, _> = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(user.username)
            .bind(user.display_name)
            .bind(user.password_hash)
            .bind(user.role.code())
            .bind(user.branch)
            .bind(user.must_change_password)
            .bind(now)
            .fetch_one(pool)
            .await);
        // Someone new to offer for assignment.
        crate::auth::accounts_changed();
        Ok(id?)
    }

    pub async fn staff_user_by_username(
        &self,
        username: &Username,
    ) -> StoreResult<Option<StaffUser>> {
        let sql = format!("SELECT {COLUMNS} FROM staff_users WHERE username = $1");
        let row: Option<StaffUserRow> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await)?;
        row.map(StaffUser::try_from).transpose()
    }

    pub async fn staff_user(&self, id: UserId) -> StoreResult<StaffUser> {
        let sql = format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1");
        let row: StaffUserRow = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    pub async fn list_staff_users(&self, filter: &UserFilter) -> StoreResult<Vec<StaffUser>> {
        let pattern = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| format!("%{}%", text.to_lowercase().replace(['%', '_'], "")));
        let sql = format!(
            "SELECT {COLUMNS} FROM staff_users \
             WHERE ($1 IS NULL OR branch_code = $1) \
               AND ($2 IS NULL OR username LIKE $2 OR LOWER(display_name) LIKE $2) \
             ORDER BY username LIMIT 500"
        );
        let rows: Vec<StaffUserRow> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(filter.branch.as_ref())
            .bind(pattern.as_deref())
            .fetch_all(pool)
            .await)?;
        decode(rows)
    }

    pub async fn count_active_admins(&self) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM staff_users WHERE role = 'admin' AND active = TRUE";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await)?)
    }

    pub async fn update_staff_user_profile(
        &self,
        id: UserId,
        display_name: &str,
        role: Role,
        branch: Option<&BranchCode>,
    ) -> StoreResult<()> {
        // Changing role or scope bumps the epoch: open sessions must not keep old rights.
        let sql = "UPDATE staff_users SET display_name = $2, role = $3, branch_code = $4, \
                   session_epoch = session_epoch + CASE WHEN role <> $3 OR branch_code IS DISTINCT FROM $4 THEN 1 ELSE 0 END, \
                   updated_at = $5 WHERE id = $1";
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(display_name)
            .bind(role.code())
            .bind(branch)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|result| result.rows_affected()));
        crate::auth::accounts_changed();
        if done? == 0 {
            Err(super::StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Activates or deactivates an account; deactivation ends its sessions.
    pub async fn set_staff_user_active(&self, id: UserId, active: bool) -> StoreResult<()> {
        let sql = "UPDATE staff_users SET active = $2, session_epoch = session_epoch + 1, updated_at = $3 \
                   WHERE id = $1";
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(active)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|result| result.rows_affected()));
        crate::auth::accounts_changed();
        if done? == 0 {
            Err(super::StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Stores a new password hash and ends every session of the account; returns the new epoch.
    pub async fn set_staff_user_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change_password: bool,
    ) -> StoreResult<i64> {
        let sql = "UPDATE staff_users SET password_hash = $2, must_change_password = $3, \
                   session_epoch = session_epoch + 1, updated_at = $4 WHERE id = $1 RETURNING session_epoch";
        let epoch = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id)
            .bind(password_hash)
            .bind(must_change_password)
            .bind(Utc::now())
            .fetch_one(pool)
            .await);
        crate::auth::accounts_changed();
        Ok(epoch?)
    }

    pub async fn set_staff_user_language(&self, id: UserId, language: Language) -> StoreResult<()> {
        let sql = "UPDATE staff_users SET language = $2 WHERE id = $1";
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(language.code())
            .execute(pool)
            .await
            .map(|_| ()));
        crate::auth::accounts_changed();
        Ok(done?)
    }

    pub async fn record_staff_sign_in(&self, id: UserId) -> StoreResult<()> {
        let sql = "UPDATE staff_users SET last_sign_in_at = $2 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Appends to the audit trail of administrative actions.
    pub async fn record_audit_event(
        &self,
        actor: Option<UserId>,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO audit_events (actor_user_id, action, subject, detail, created_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(actor)
            .bind(action)
            .bind(subject)
            .bind(detail)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
