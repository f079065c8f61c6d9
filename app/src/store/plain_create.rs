//! A plain ticket creation (no quota members, no files) as the group writers
//! insert it many at a time: its values column by column, in one order that
//! `pg_writer` unnests from arrays and `sqlite_writer` reads from JSON rows.

use chrono::{DateTime, Utc};

use super::tickets::NewTicket;

/// A ticket to insert: its values, its code's prefix, its search words after the
/// code, and its creation time.
pub(crate) struct PlainCreate {
    pub ticket: NewTicket,
    pub prefix: String,
    pub rest: String,
    pub now: DateTime<Utc>,
}

pub(crate) type TextOf = fn(&PlainCreate) -> Option<String>;
pub(crate) type NumberOf = fn(&PlainCreate) -> Option<i64>;
pub(crate) type TimeOf = fn(&PlainCreate) -> Option<DateTime<Utc>>;

/// The text columns of a new ticket (and of the statement's own inputs, which
/// are not columns: `prefix`, `rest`, `actor_label`), each with its value.
pub(crate) const TEXTS: &[(&str, TextOf)] = &[
    ("branch_code", |c| {
        c.ticket.branch.as_ref().map(|b| b.as_str().to_owned())
    }),
    ("source", |c| Some(c.ticket.source.to_owned())),
    ("contact_code", |c| {
        c.ticket
            .contact_code
            .as_ref()
            .map(|code| code.as_str().to_owned())
    }),
    ("customer_name", |c| Some(c.ticket.customer_name.clone())),
    ("customer_phone", |c| {
        c.ticket
            .customer_phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
    }),
    ("email", |c| Some(c.ticket.email.clone())),
    ("identify_number", |c| c.ticket.identify_number.clone()),
    ("customer_address", |c| {
        Some(c.ticket.customer_address.clone())
    }),
    ("ward_code", |c| Some(c.ticket.ward_code.clone())),
    ("district_code", |c| Some(c.ticket.district_code.clone())),
    ("province_code", |c| Some(c.ticket.province_code.clone())),
    ("latitude", |c| Some(c.ticket.latitude.clone())),
    ("longitude", |c| Some(c.ticket.longitude.clone())),
    ("content", |c| Some(c.ticket.content.clone())),
    ("note", |c| Some(c.ticket.note.clone())),
    ("accuracy", |c| Some(c.ticket.accuracy.clone())),
    ("reporter_name", |c| Some(c.ticket.reporter_name.clone())),
    ("incident_type", |c| Some(c.ticket.incident_type.clone())),
    ("tax_code", |c| Some(c.ticket.tax_code.clone())),
    ("legal_representative", |c| {
        Some(c.ticket.legal_representative.clone())
    }),
    ("contact_person_name", |c| {
        Some(c.ticket.contact_person_name.clone())
    }),
    ("contact_person_phone", |c| {
        Some(c.ticket.contact_person_phone.clone())
    }),
    ("contact_person_email", |c| {
        Some(c.ticket.contact_person_email.clone())
    }),
    ("contact_address", |c| {
        Some(c.ticket.contact_address.clone())
    }),
    ("external_id", |c| c.ticket.external_id.clone()),
    ("request_digest", |c| Some(c.ticket.request_digest.clone())),
    ("external_customer_id", |c| {
        Some(c.ticket.external_customer_id.clone())
    }),
    ("prefix", |c| Some(c.prefix.clone())),
    ("rest", |c| Some(c.rest.clone())),
    ("actor_label", |c| Some(c.ticket.actor_label.clone())),
];

/// The number columns of a new ticket, each with its value.
pub(crate) const NUMBERS: &[(&str, NumberOf)] = &[
    ("id_type", |c| Some(c.ticket.id_type)),
    ("id_priority", |c| Some(c.ticket.id_priority)),
    ("id_process_unit", |c| c.ticket.id_process_unit),
    ("id_customer", |c| c.ticket.id_customer),
    ("id_service_category", |c| c.ticket.id_service_category),
    ("id_related", |c| c.ticket.id_related),
    ("id_service_reason", |c| c.ticket.id_service_reason),
    ("reading_number", |c| c.ticket.reading_number),
    ("reading_month", |c| c.ticket.reading_month),
    ("reading_year", |c| c.ticket.reading_year),
    ("id_phenomena", |c| c.ticket.id_phenomena),
    ("customer_type", |c| c.ticket.customer_type),
    ("created_by_user_id", |c| {
        c.ticket.created_by.map(|user| user.0)
    }),
    ("api_account_id", |c| c.ticket.api_account_id),
];

/// The time columns of a new ticket, each with its value.
pub(crate) const TIMES: &[(&str, TimeOf)] = &[
    ("date_due", |c| c.ticket.date_due),
    ("created_at", |c| Some(c.now)),
];

/// Inputs that are not columns of `tickets`.
pub(crate) const NOT_COLUMNS: [&str; 3] = ["prefix", "rest", "actor_label"];
