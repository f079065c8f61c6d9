//! The seed's reference data: branches and the lookup tables of tickets.

use serde::{Deserialize, Serialize};

use super::{Db, StoreResult};
use crate::domain::{BranchCode, Language};
use crate::on_pool;

/// A member water-supply company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Branch {
    pub code: BranchCode,
    pub name: String,
    pub url_host: String,
    pub base_url: String,
    pub uat_base_url: String,
}

/// One row of a lookup table (request type, department, priority, status, service level).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct LookupEntry {
    pub id: i64,
    /// The id of the parent level (service components and reasons), if any.
    pub parent_id: Option<i64>,
    pub name_vi: String,
    pub name_en: String,
}

impl LookupEntry {
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::Vi => &self.name_vi,
            Language::En => &self.name_en,
        }
    }
}

/// The lookup tables the seed defines, by the name of their table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupTable {
    RequestTypes,
    Departments,
    Priorities,
    TicketStatuses,
    ServiceCategories,
    ServiceComponents,
    ServiceReasons,
}

impl LookupTable {
    fn select(self) -> &'static str {
        match self {
            LookupTable::RequestTypes => {
                "SELECT id, NULL AS parent_id, name_vi, name_en FROM request_types ORDER BY id"
            }
            LookupTable::Departments => {
                "SELECT id, NULL AS parent_id, name_vi, name_en FROM departments ORDER BY id"
            }
            LookupTable::Priorities => {
                "SELECT id, NULL AS parent_id, name_vi, name_en FROM priorities ORDER BY id"
            }
            LookupTable::TicketStatuses => {
                "SELECT id, NULL AS parent_id, name_vi, name_en FROM ticket_statuses ORDER BY id"
            }
            LookupTable::ServiceCategories => {
                "SELECT id, NULL AS parent_id, name_vi, name_en FROM service_categories ORDER BY id"
            }
            LookupTable::ServiceComponents => {
                "SELECT id, category_id AS parent_id, name_vi, name_en FROM service_components ORDER BY id"
            }
            LookupTable::ServiceReasons => {
                "SELECT id, component_id AS parent_id, name_vi, name_en FROM service_reasons ORDER BY component_id, id"
            }
        }
    }
}

impl Db {
    pub async fn list_branches(&self) -> StoreResult<Vec<Branch>> {
        let sql =
            "SELECT code, name, url_host, base_url, uat_base_url FROM branches ORDER BY sort_order";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn branch_exists(&self, code: &BranchCode) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM branches WHERE code = $1";
        let count: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(code)
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }

    pub async fn list_lookup(&self, table: LookupTable) -> StoreResult<Vec<LookupEntry>> {
        // PostgreSQL needs the NULL parent typed; SQLite ignores the cast's type name.
        let sql = table
            .select()
            .replace("NULL AS parent_id", "CAST(NULL AS BIGINT) AS parent_id");
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)?)
    }
}
