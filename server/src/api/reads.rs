//! What the customer app reads: a customer's tickets with status, solution and
//! timeline, one ticket, and the contract codes linked to a phone.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use tcrm_app::domain::{ContractCode, TicketStatus};
use tcrm_app::i18n::Language;
use tcrm_app::store::tickets::{PhoneContract, Ticket, TicketEvent};

use super::ApiState;
use super::auth::ApiCaller;
use super::error::ApiError;
use super::feedback::{TicketRef, resolve_ticket};
use super::notifications::{cursor, inbox_phone, page_limit};

/// Whose tickets, and where to continue.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct TicketsQuery {
    /// Required: the customer's phone, 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.
    pub phone_number: Option<String>,
    /// Only tickets of this contract code (11 digits).
    pub contact_code: Option<String>,
    /// Continue after this ticket id (from `next_before`).
    pub before: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<String>,
}

/// A ticket as the app shows it: no internal notes, no staff names.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppTicket {
    pub id: i64,
    pub id_feedback: Option<String>,
    pub feedback_code: Option<String>,
    /// `null` while the ticket waits to be routed to a branch.
    pub branch_code: Option<String>,
    pub id_type: i64,
    pub id_status: i64,
    /// The status in Vietnamese, as the app shows it.
    pub status_name: String,
    pub id_priority: i64,
    pub contact_code: Option<String>,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub customer_address: String,
    pub content: String,
    /// The answer to the customer.
    pub solution: String,
    /// RFC 3339 (UTC).
    pub date_due: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Present on the single-ticket read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<AppEvent>>,
}

/// One customer-visible step of a ticket's progress.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AppEvent {
    /// created, status, solution, attachment
    pub kind: String,
    pub from_status: Option<i64>,
    pub to_status: Option<i64>,
    /// The solution text, or the attachment's file name.
    pub body: String,
    pub created_at: String,
}

fn status_name(id: i64) -> String {
    TicketStatus::from_id(id)
        .map(|status| status.key().text(Language::Vi).to_owned())
        .unwrap_or_default()
}

impl AppTicket {
    fn of(ticket: Ticket, timeline: Option<Vec<TicketEvent>>) -> AppTicket {
        AppTicket {
            id: ticket.id.0,
            id_feedback: ticket.external_id,
            feedback_code: ticket.feedback_code,
            branch_code: ticket.branch_code.as_ref().map(ToString::to_string),
            id_type: ticket.id_type,
            status_name: status_name(ticket.id_status),
            id_status: ticket.id_status,
            id_priority: ticket.id_priority,
            contact_code: ticket.contact_code.map(|c| c.as_str().to_owned()),
            customer_name: ticket.customer_name,
            customer_phone: ticket.customer_phone.map(|p| p.as_str().to_owned()),
            customer_address: ticket.customer_address,
            content: ticket.content,
            solution: ticket.solution,
            date_due: ticket.date_due.map(|d| d.to_rfc3339()),
            created_at: ticket.created_at.to_rfc3339(),
            updated_at: ticket.updated_at.to_rfc3339(),
            timeline: timeline.map(|events| {
                events
                    .into_iter()
                    .filter(|e| {
                        !e.internal
                            && matches!(
                                e.kind.as_str(),
                                "created" | "status" | "solution" | "attachment"
                            )
                    })
                    .map(|e| AppEvent {
                        from_status: (e.kind == "status")
                            .then(|| e.from_value.parse().ok())
                            .flatten(),
                        to_status: matches!(e.kind.as_str(), "status" | "created")
                            .then(|| e.to_value.parse().ok())
                            .flatten(),
                        kind: e.kind,
                        body: e.body,
                        created_at: e.created_at.to_rfc3339(),
                    })
                    .collect()
            }),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketPage {
    pub status: u16,
    pub items: Vec<AppTicket>,
    pub next_before: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/apiv2/v3/feedback/list",
    tag = "feedback",
    params(TicketsQuery),
    security(("bearer" = []), ("basic_token" = [])),
    responses(
        (status = 200, description = "The customer's tickets, newest first (a branch account sees its branch's only)", body = TicketPage),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 422, description = "A parameter is wrong", body = super::error::ErrorBody),
    )
)]
/// A customer's tickets by phone (and contract code).
pub async fn list_tickets(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(query): Query<TicketsQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let phone = inbox_phone(query.phone_number.as_deref())?;
    let contract = match query
        .contact_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(code) => Some(ContractCode::parse(code).map_err(|_| {
            ApiError::field("contact_code", "a contract code (mã danh bộ) has 11 digits")
        })?),
    };
    let limit = page_limit(query.limit.as_deref())?;
    let before = cursor(query.before.as_deref(), "before")?.map(tcrm_app::domain::TicketId);
    let rows = state
        .db
        .tickets_of_phone(&phone, contract.as_ref(), caller.scope(), before, limit)
        .await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|t| t.id.0))
        .flatten();
    Ok(Json(TicketPage {
        status: 200,
        items: rows.into_iter().map(|t| AppTicket::of(t, None)).collect(),
        next_before,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub status: u16,
    pub ticket: AppTicket,
}

#[utoipa::path(
    get,
    path = "/apiv2/v3/feedback/view",
    tag = "feedback",
    params(TicketRef),
    security(("bearer" = []), ("basic_token" = [])),
    responses(
        (status = 200, description = "The ticket with its customer-visible timeline", body = TicketView),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 404, description = "No such ticket for this account", body = super::error::ErrorBody),
        (status = 422, description = "A parameter is wrong", body = super::error::ErrorBody),
    )
)]
/// One ticket with its status history and solution.
pub async fn view_ticket(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(query): Query<TicketRef>,
) -> Result<Json<TicketView>, ApiError> {
    let ticket = resolve_ticket(&state, &caller, query.id.as_deref().unwrap_or_default()).await?;
    let events = state.db.ticket_events(ticket.id).await?;
    Ok(Json(TicketView {
        status: 200,
        ticket: AppTicket::of(ticket, Some(events)),
    }))
}

/// Whose contracts.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PhoneQuery {
    /// Required: 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.
    pub phone_number: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AppContract {
    /// 11 digits.
    pub contact_code: String,
    pub branch_code: String,
    pub customer_name: String,
    pub address: String,
    pub ward_code: String,
    pub district_code: String,
    /// 1 household, 2 business.
    pub customer_type: i64,
    pub use_purpose: String,
    pub registered_persons: i64,
}

impl From<PhoneContract> for AppContract {
    fn from(c: PhoneContract) -> Self {
        AppContract {
            contact_code: c.code.as_str().to_owned(),
            branch_code: c.branch_code.to_string(),
            customer_name: c.customer_name,
            address: c.address,
            ward_code: c.ward_code,
            district_code: c.district_code,
            customer_type: c.customer_type,
            use_purpose: c.use_purpose,
            registered_persons: c.registered_persons,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContractList {
    pub status: u16,
    pub items: Vec<AppContract>,
}

#[utoipa::path(
    get,
    path = "/apiv2/v3/customer/contracts",
    tag = "customers",
    params(PhoneQuery),
    security(("bearer" = []), ("basic_token" = [])),
    responses(
        (status = 200, description = "Contract codes linked to the phone (a branch account sees its branch's only)", body = ContractList),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 422, description = "A parameter is wrong", body = super::error::ErrorBody),
    )
)]
/// The contract codes linked to a phone.
pub async fn contracts(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(query): Query<PhoneQuery>,
) -> Result<Json<ContractList>, ApiError> {
    let phone = inbox_phone(query.phone_number.as_deref())?;
    let rows = state.db.contracts_of_phone(&phone, caller.scope()).await?;
    Ok(Json(ContractList {
        status: 200,
        items: rows.into_iter().map(AppContract::from).collect(),
    }))
}
