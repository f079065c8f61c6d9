//! What the ticket pages share: lookup names and small pieces of markup.

use leptos::prelude::*;

use crate::domain::{Language, TicketStatus};
use crate::error::AppError;
use crate::i18n::{t, use_language};
use crate::store::Db;
use crate::store::reference::{LookupEntry, LookupTable};

/// The lookup tables a ticket page shows names from.
#[derive(Clone, Debug, Default)]
pub struct Lookups {
    pub types: Vec<LookupEntry>,
    pub priorities: Vec<LookupEntry>,
    pub departments: Vec<LookupEntry>,
}

impl Lookups {
    pub async fn load(db: &Db) -> Result<Lookups, AppError> {
        Ok(Lookups {
            types: db.list_lookup(LookupTable::RequestTypes).await?,
            priorities: db.list_lookup(LookupTable::Priorities).await?,
            departments: db.list_lookup(LookupTable::Departments).await?,
        })
    }

    fn name(entries: &[LookupEntry], id: Option<i64>, language: Language) -> String {
        id.and_then(|id| entries.iter().find(|entry| entry.id == id))
            .map_or_else(|| "—".to_owned(), |entry| entry.name(language).to_owned())
    }

    pub fn type_name(&self, id: i64) -> String {
        Self::name(&self.types, Some(id), use_language())
    }

    pub fn priority_name(&self, id: i64) -> String {
        Self::name(&self.priorities, Some(id), use_language())
    }

    pub fn department_name(&self, id: Option<i64>) -> String {
        Self::name(&self.departments, id, use_language())
    }

    /// Select options (id, name), with a leading "any/none" entry when `empty` is given.
    pub fn options(entries: &[LookupEntry], empty: Option<&str>) -> Vec<(String, String)> {
        let language = use_language();
        empty
            .map(|label| (String::new(), label.to_owned()))
            .into_iter()
            .chain(entries.iter().map(|entry| {
                (
                    entry.id.to_string(),
                    format!("{} · {}", entry.id, entry.name(language)),
                )
            }))
            .collect()
    }
}

/// A coloured status label.
pub fn status_badge(id_status: i64) -> impl IntoView {
    let status = TicketStatus::from_id(id_status);
    let label = status.map_or("—", |status| t(status.key()));
    view! { <span class=format!("badge status-{id_status}")>{label}</span> }
}

/// Options for every status.
pub fn status_options(empty: Option<&str>) -> Vec<(String, String)> {
    empty
        .map(|label| (String::new(), label.to_owned()))
        .into_iter()
        .chain(
            TicketStatus::ALL
                .iter()
                .map(|status| (status.id().to_string(), t(status.key()).to_owned())),
        )
        .collect()
}
