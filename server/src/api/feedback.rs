//! `POST /apiv2/v3/feedback/create` and `POST /apiv2/ntw/feedback/update`:
//! tickets of every request kind, as the customer app and member companies send them.

use axum::Json;
use axum::extract::{Query, Request, State};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use tcrm_app::domain::{ApiAccountKind, BranchCode, TicketId, TicketSource, TicketStatus};
use tcrm_app::i18n::Language;
use tcrm_app::store::StoreError;
use tcrm_app::store::tickets::{NewFile, NewTicket, Ticket, TicketChange, TicketMember};

use super::ApiState;
use super::auth::ApiCaller;
use super::error::{ApiError, FieldErrors};
use super::fields::FieldReader;
use super::payload::{Payload, UploadedFile};

/// The intake department: where a ticket goes when the sender names an unknown one.
pub const INTAKE_DEPARTMENT: i64 = 97;

/// What create and update answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackResponse {
    pub status: u16,
    /// `true` when this call created the ticket; `false` when the same `id_feedback`
    /// was already received from this account with the same request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// TCRM's ticket id.
    pub id: i64,
    /// The sender's own id for the ticket, as it sent it.
    pub id_feedback: Option<String>,
    pub feedback_code: Option<String>,
    /// `null` while the ticket waits in HQ's unrouted queue.
    pub branch_code: Option<String>,
    pub id_status: i64,
    /// Due date, RFC 3339 (UTC).
    pub date_due: Option<String>,
    /// Fields the update changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// What was accepted but adjusted or ignored (unknown department, unknown fields…).
    pub warnings: Vec<String>,
}

impl FeedbackResponse {
    fn of(ticket: &Ticket, created: Option<bool>, warnings: Vec<String>) -> FeedbackResponse {
        FeedbackResponse {
            status: 200,
            created,
            id: ticket.id.0,
            id_feedback: ticket.external_id.clone(),
            feedback_code: ticket.feedback_code.clone(),
            branch_code: ticket.branch_code.as_ref().map(ToString::to_string),
            id_status: ticket.id_status,
            date_due: ticket.date_due.map(|due| due.to_rfc3339()),
            changed: Vec::new(),
            warnings,
        }
    }
}

/// Fields the create endpoint understands; anything else is reported as ignored.
const KNOWN_FIELDS: &[&str] = &[
    "id_feedback",
    "id_customer",
    "contact_code",
    "content",
    "solution",
    "id_status",
    "email",
    "id_type",
    "id_priority",
    "solver_user",
    "updated_at",
    "id_process_unit",
    "customer_name",
    "customer_phone",
    "identify_number",
    "id_service_category",
    "id_related",
    "id_service_reason",
    "note",
    "number",
    "month",
    "year",
    "name",
    "latitude",
    "longitude",
    "customer_address",
    "ward_code",
    "district_code",
    "province_code",
    "feedback_code",
    "incident_type",
    "id_phenomena",
    "legal_representative",
    "contact_person_name",
    "contact_person_phone",
    "contact_person_email",
    "branch_code",
    "tax_code",
    "contact_address",
    "customer_type",
    "date_due",
    "accuracy",
];

/// `id_process_unit` as sent; an id outside the department table goes to the
/// intake department with a warning (the seed's own app examples send such ids).
fn department(
    r: &mut FieldReader<'_>,
    reference: &super::Reference,
    warnings: &mut Vec<String>,
) -> Option<i64> {
    match r.int(
        "id_process_unit",
        |_| true,
        "a department id (whole number)",
    ) {
        Some(id) if reference.departments.contains(&id) => Some(id),
        Some(id) => {
            warnings.push(format!(
                "id_process_unit {id} is not a department; the ticket went to the intake department {INTAKE_DEPARTMENT} (Callcenter)"
            ));
            Some(INTAKE_DEPARTMENT)
        }
        None => None,
    }
}

/// The request kinds the seed's create examples describe, told apart by
/// `id_type` and the service catalogue ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    NewConnection,
    MeterReading,
    Incident,
    Quota,
    /// A change request (id_type 1): relocation, reinstatement, transfer, change of use.
    Change,
    Other,
}

impl Kind {
    fn of(id_type: i64) -> Kind {
        match id_type {
            5 => Kind::NewConnection,
            10 => Kind::MeterReading,
            2 => Kind::Incident,
            14 => Kind::Quota,
            1 => Kind::Change,
            _ => Kind::Other,
        }
    }

    fn needs_contract(self) -> bool {
        matches!(self, Kind::MeterReading | Kind::Quota | Kind::Change)
    }
}

#[utoipa::path(
    post,
    path = "/apiv2/v3/feedback/create",
    tag = "feedback",
    security(("bearer" = []), ("basic_token" = [])),
    request_body(content(
        (FeedbackCreateRequest = "application/json"),
        (FeedbackCreateRequest = "multipart/form-data"),
        (FeedbackCreateRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Created, or the same id_feedback received again with the same request", body = FeedbackResponse),
        (status = 400, description = "The body could not be read", body = super::error::ErrorBody),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 409, description = "The same id_feedback was sent earlier with a different request", body = super::error::ErrorBody),
        (status = 422, description = "A value is wrong: `errors` names each field and what is allowed; nothing was written", body = super::error::ErrorBody),
    )
)]
/// Creates a ticket of any request kind.
pub async fn create(
    State(state): State<ApiState>,
    caller: ApiCaller,
    request: Request,
) -> Result<Json<FeedbackResponse>, ApiError> {
    let payload = Payload::read_allowing(request, caller.kind == ApiAccountKind::Hq).await?;
    let mut draft = parse_create(&state, &caller, &payload).await?;
    let digest = payload.digest();

    // A repeated id_feedback is found by the unique index when the insert fails,
    // so the usual first delivery costs no extra read.
    draft.ticket.files = store_files(&state, &payload.files, "").await?;
    for (index, member) in &payload.members {
        let mut files = store_files(&state, &member.files, &format!("members.{index}")).await?;
        draft.ticket.files.append(&mut files);
    }
    draft.ticket.request_digest = digest.clone();

    match state.db.create_ticket(&draft.ticket).await {
        Ok(id) => {
            let ticket = &draft.ticket;
            tracing::info!(ticket_id = %id, api_account = caller.account_id, id_type = ticket.id_type, "ticket created through the API");
            Ok(Json(FeedbackResponse {
                status: 200,
                created: Some(true),
                id: id.0,
                id_feedback: ticket.external_id.clone(),
                feedback_code: Some(tcrm_app::store::tickets::ticket_code(
                    ticket.branch.as_ref(),
                    id,
                )),
                branch_code: ticket.branch.as_ref().map(ToString::to_string),
                id_status: TicketStatus::New.id(),
                date_due: ticket.date_due.map(|due| due.to_rfc3339()),
                changed: Vec::new(),
                warnings: draft.warnings,
            }))
        }
        // The same id_feedback raced in from a parallel call: answer as a replay.
        Err(StoreError::UniqueViolation(_)) if draft.ticket.external_id.is_some() => {
            let external_id = draft.ticket.external_id.unwrap_or_default();
            match replay(&state, &caller, &external_id, &digest).await? {
                Some(answer) => Ok(answer),
                None => Err(ApiError::Internal),
            }
        }
        Err(error) => Err(error.into()),
    }
}

/// The answer to an `id_feedback` this account already sent, if it did.
async fn replay(
    state: &ApiState,
    caller: &ApiCaller,
    external_id: &str,
    digest: &str,
) -> Result<Option<Json<FeedbackResponse>>, ApiError> {
    let Some(existing) = state
        .db
        .ticket_by_external_id(caller.account_id, external_id)
        .await?
    else {
        return Ok(None);
    };
    let ticket = state.db.ticket(existing.id).await?;
    // A peer instance's outbox may resend a create after the ticket changed there;
    // those changes travel as updates, so any repeat from it is a replay.
    if existing.request_digest == digest || caller.kind == ApiAccountKind::Hq {
        return Ok(Some(Json(FeedbackResponse::of(
            &ticket,
            Some(false),
            vec![format!(
                "id_feedback {external_id} was already received; this is ticket {}",
                ticket.feedback_code.clone().unwrap_or_default()
            )],
        ))));
    }
    Err(ApiError::Conflict {
        message: format!(
            "id_feedback {external_id} was already used by this account for ticket {} (id {}) with different content; send a new id_feedback, or update that ticket with /apiv2/ntw/feedback/update?id={external_id}",
            ticket.feedback_code.unwrap_or_default(),
            ticket.id
        ),
        id: Some(ticket.id.0),
    })
}

/// Writes files to the content-addressed store (idempotent), returning their records.
async fn store_files(
    state: &ApiState,
    files: &[UploadedFile],
    purpose: &str,
) -> Result<Vec<NewFile>, ApiError> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        let sha256 = file.sha256();
        let path = state.attachments_dir.join(&sha256);
        if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
            let temporary = state
                .attachments_dir
                .join(format!("{sha256}.{}.part", rand::random::<u32>()));
            let written = async {
                tokio::fs::create_dir_all(&state.attachments_dir).await?;
                tokio::fs::write(&temporary, &file.bytes).await?;
                tokio::fs::rename(&temporary, &path).await
            }
            .await;
            if let Err(error) = written {
                tracing::error!(%error, "storing an API attachment");
                return Err(ApiError::Internal);
            }
        }
        stored.push(NewFile {
            file_name: file.file_name.clone(),
            content_type: file.content_type.to_owned(),
            size_bytes: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            sha256,
            purpose: purpose.to_owned(),
        });
    }
    Ok(stored)
}

/// A ticket ready to store, with what was adjusted on the way.
struct Draft {
    ticket: NewTicket,
    warnings: Vec<String>,
}

/// Checks every field of a create request; all problems are reported together.
async fn parse_create(
    state: &ApiState,
    caller: &ApiCaller,
    payload: &Payload,
) -> Result<Draft, ApiError> {
    let reference = state.reference().await?;
    let mut r = FieldReader::new(payload.fields(), "");
    let mut warnings = Vec::new();
    for key in payload.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            warnings.push(format!("unknown field ignored: {key}"));
        }
    }

    let external_id = r.text("id_feedback", 64);
    let id_type = r.required_int(
        "id_type",
        |id| reference.request_types.contains(&id),
        &format!(
            "a request type id: {}",
            super::Reference::describe(&reference.request_types)
        ),
    );
    let kind = id_type.map(Kind::of);
    let id_priority = r
        .int(
            "id_priority",
            |p| (1..=4).contains(&p),
            "a priority id: 1 (low), 2 (medium), 3 (high), 4 (very high)",
        )
        .unwrap_or(2);
    let id_process_unit =
        department(&mut r, &reference, &mut warnings).unwrap_or(INTAKE_DEPARTMENT);

    // The service catalogue: category → component (id_related) → reason.
    let id_service_category = r.int(
        "id_service_category",
        |id| reference.categories.contains(&id),
        &format!(
            "a service category id: {}",
            super::Reference::describe(&reference.categories)
        ),
    );
    let mut id_service_reason = r.int(
        "id_service_reason",
        |id| reference.reasons.contains_key(&id),
        "a service reason id: 1–32",
    );
    let related_raw = r.int("id_related", |_| true, "a service component id: 1–15");
    let id_related = match related_raw {
        Some(id) if reference.components.contains_key(&id) => Some(id),
        // The seed's reinstatement example sends the reason (22) as id_related.
        Some(id) if reference.reasons.contains_key(&id) && id_service_reason.is_none() => {
            warnings.push(format!(
                "id_related {id} is a service reason; read as id_service_reason {id}"
            ));
            id_service_reason = Some(id);
            reference.reasons.get(&id).copied()
        }
        Some(_) => {
            r.error("id_related", "a service component id: 1–15");
            None
        }
        None => id_service_reason.and_then(|reason| reference.reasons.get(&reason).copied()),
    };

    let customer_phone = r.phone("customer_phone");
    if customer_phone.is_none() && !r.has("customer_phone") {
        r.error(
            "customer_phone",
            "required: the customer's phone, 0xxxxxxxxx or 84xxxxxxxxx",
        );
    }
    let contact_code = r.contract_code("contact_code");
    if kind.is_some_and(Kind::needs_contract) && contact_code.is_none() && !r.has("contact_code") {
        r.error(
            "contact_code",
            "required for this request type: the 11-digit contract code",
        );
    }
    let sent_branch = r.branch("branch_code");
    let identify_number = r.citizen_id("identify_number");

    let mut ticket = NewTicket {
        id_type: id_type.unwrap_or(4),
        id_priority,
        id_process_unit: Some(id_process_unit),
        source: match caller.kind {
            ApiAccountKind::App => TicketSource::App.code(),
            ApiAccountKind::Branch | ApiAccountKind::Hq => TicketSource::Api.code(),
        },
        customer_name: r.text("customer_name", 255),
        email: r.email("email"),
        identify_number: identify_number.map(|id| id.as_str().to_owned()),
        customer_address: r.text("customer_address", 255),
        ward_code: r.text("ward_code", 30),
        district_code: r.text("district_code", 30),
        province_code: {
            let province = r.text("province_code", 30);
            if province.is_empty() {
                "79".to_owned()
            } else {
                province
            }
        },
        latitude: r.coordinate("latitude", 90.0),
        longitude: r.coordinate("longitude", 180.0),
        content: r.text("content", 65_535),
        note: r.text("note", 5_000),
        id_service_category,
        id_related,
        id_service_reason,
        reporter_name: r.text("name", 255),
        incident_type: r.text("incident_type", 1_000),
        id_phenomena: r.int(
            "id_phenomena",
            |id| (0..=9_999).contains(&id),
            "a phenomenon id (whole number)",
        ),
        external_customer_id: r.text("id_customer", 255),
        date_due: r.date_time("date_due"),
        actor_label: caller.label(),
        api_account_id: Some(caller.account_id),
        external_id: (!external_id.is_empty()).then_some(external_id),
        ..NewTicket::default()
    };

    match kind {
        Some(Kind::MeterReading) => {
            ticket.reading_number = r.required_int(
                "number",
                |n| (0..=99_999_999).contains(&n),
                "the meter reading, a whole number 0–99999999",
            );
            ticket.reading_month = r.required_int(
                "month",
                |m| (1..=12).contains(&m),
                "the reading's month, 1–12",
            );
            ticket.reading_year = r.required_int(
                "year",
                |y| (2000..=2100).contains(&y),
                "the reading's year, 2000–2100",
            );
            let accuracy = r.text("accuracy", 20);
            if !accuracy.is_empty() && !accuracy.parse::<f64>().is_ok_and(|a| a >= 0.0) {
                r.error(
                    "accuracy",
                    "a number ≥ 0: above 0 the AI reader's confidence, 0 typed by hand",
                );
            }
            ticket.accuracy = if accuracy.is_empty() {
                "0".to_owned()
            } else {
                accuracy
            };
        }
        Some(Kind::NewConnection) => {
            let customer_type = r
                .int(
                    "customer_type",
                    |t| t == 1 || t == 2,
                    "1 (household) or 2 (business)",
                )
                .unwrap_or(1);
            ticket.customer_type = Some(customer_type);
            ticket.legal_representative = r.text("legal_representative", 255);
            ticket.contact_person_name = r.text("contact_person_name", 255);
            ticket.contact_person_phone = r
                .phone("contact_person_phone")
                .map(|phone| phone.as_str().to_owned())
                .unwrap_or_default();
            ticket.contact_person_email = r.email("contact_person_email");
            ticket.contact_address = r.text("contact_address", 255);
            ticket.tax_code = r.text("tax_code", 20);
            if customer_type == 2 {
                let digits: String = ticket
                    .tax_code
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let shape_ok = ticket
                    .tax_code
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '-');
                if !(shape_ok && (digits.len() == 10 || digits.len() == 13)) {
                    r.error("tax_code", "required for a business: 10 digits, or 10-3 digits for a branch (0314222356 or 0314222356-001)");
                }
            }
        }
        Some(Kind::Quota) => {
            for (index, member) in &payload.members {
                let mut m = FieldReader::new(&member.fields, &format!("members.{index}."));
                let code = m.citizen_id("code");
                if code.is_none() && !m.has("code") {
                    m.error("code", "required: the member's citizen id (12 digits)");
                }
                let name = m.required_text("name", 255);
                let address = m.text("address", 255);
                let address_type = m
                    .int(
                        "address_type",
                        |t| t == 1 || t == 2,
                        "1 (permanent, thường trú) or 2 (temporary, tạm trú)",
                    )
                    .unwrap_or(1);
                r.errors.append(&mut m.errors);
                ticket.members.push(TicketMember {
                    citizen_id: code.map(|c| c.as_str().to_owned()).unwrap_or_default(),
                    name,
                    address,
                    address_type,
                });
            }
            if payload.members.is_empty() {
                r.error("members", "a quota registration lists the household members: members[N] with code, name, address, address_type");
            }
        }
        _ => {}
    }
    if !payload.members.is_empty() && kind != Some(Kind::Quota) {
        warnings.push("members ignored: only quota registrations (id_type 14) list members".into());
    }

    let mut errors: FieldErrors = std::mem::take(&mut r.errors);
    for (field, message) in &payload.errors {
        errors
            .entry(field.clone())
            .or_insert_with(|| message.clone());
    }

    // The branch: as sent, else the contract's, else a branch account's own, else
    // none: the ticket waits in HQ's unrouted queue until staff route it.
    let contract = match &contact_code {
        Some(code) => state.db.contract_with_customer(code).await?,
        None => None,
    };
    let branch = sent_branch
        .clone()
        .or_else(|| contract.as_ref().map(|c| c.branch_code.clone()))
        .or_else(|| caller.scope().cloned());
    match &branch {
        None if !errors.contains_key("branch_code") => {
            warnings.push(format!(
                "no branch_code and no known contract: the ticket waits for HQ staff to route it to a branch ({})",
                BranchCode::ALL.join(", ")
            ));
        }
        Some(branch) if !caller.covers(Some(branch)) => {
            errors.insert(
                "branch_code".into(),
                format!(
                    "this account works only on tickets of {}",
                    caller.scope().map(ToString::to_string).unwrap_or_default()
                ),
            );
        }
        _ => {}
    }
    if let (Some(sent), Some(contract)) = (&sent_branch, &contract)
        && sent != &contract.branch_code
    {
        warnings.push(format!(
            "branch_code {sent} differs from contract {}'s branch {}; kept {sent} as sent",
            contract.code, contract.branch_code
        ));
    }
    // Meter readings from the customer app are taken only on the branch's reading
    // days; a reading forwarded by HQ (or sent by the branch itself) was accepted there.
    if kind == Some(Kind::MeterReading)
        && caller.kind == ApiAccountKind::App
        && errors.is_empty()
        && let Some(branch) = &branch
        && let Err(next) =
            tcrm_app::reading_schedules::check_reading_day(&state.db, branch, Utc::now()).await
    {
        let message = match next {
            Some(day) => format!(
                "meter readings for branch {branch} are accepted only on its reading days; the next one is {}",
                day.format("%d/%m/%Y")
            ),
            None => format!(
                "meter readings for branch {branch} are accepted only on its reading days, and none is scheduled yet"
            ),
        };
        errors.insert("contact_code".into(), message);
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    if let Some(contract) = &contract {
        ticket.id_customer = contract.customer_id;
        if ticket.customer_name.is_empty() {
            ticket.customer_name = contract.customer_name.clone().unwrap_or_default();
        }
        if ticket.customer_address.is_empty() {
            ticket.customer_address = contract.address.clone();
        }
    }
    ticket.customer_phone = customer_phone;
    ticket.contact_code = contact_code;
    ticket.branch = branch;
    if ticket.date_due.is_none()
        && let Some(hours) = reference
            .sla_hours
            .get(&(ticket.id_type, ticket.id_priority))
            .copied()
    {
        ticket.date_due = Some(Utc::now() + Duration::hours(hours));
    }
    Ok(Draft { ticket, warnings })
}

/// `?id=` of the update endpoint.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct TicketRef {
    /// The sender's own `id_feedback` for the ticket, or TCRM's ticket id.
    #[serde(default)]
    pub id: Option<String>,
}

/// Finds the ticket a caller means by `id`: its own `id_feedback` first, then TCRM's id;
/// outside the caller's branch it does not exist.
pub async fn resolve_ticket(
    state: &ApiState,
    caller: &ApiCaller,
    id: &str,
) -> Result<Ticket, ApiError> {
    let id = id.trim();
    let not_found = || {
        ApiError::NotFound(format!(
            "No ticket {id:?} for this account: use the id_feedback this account sent, or TCRM's ticket id."
        ))
    };
    if id.is_empty() {
        return Err(ApiError::field(
            "id",
            "required: the ticket's id_feedback (?id=…)",
        ));
    }
    let found = match state
        .db
        .ticket_by_external_id(caller.account_id, id)
        .await?
    {
        Some(existing) => Some(existing.id),
        None => id.parse::<i64>().ok().map(TicketId),
    };
    let Some(ticket_id) = found else {
        return Err(not_found());
    };
    let ticket = match state.db.ticket(ticket_id).await {
        Ok(ticket) => ticket,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    if !caller.covers(ticket.branch_code.as_ref()) {
        return Err(not_found());
    }
    Ok(ticket)
}

#[utoipa::path(
    post,
    path = "/apiv2/ntw/feedback/update",
    tag = "feedback",
    params(TicketRef),
    security(("bearer" = []), ("basic_token" = [])),
    request_body(content(
        (FeedbackUpdateRequest = "application/json"),
        (FeedbackUpdateRequest = "multipart/form-data"),
        (FeedbackUpdateRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Applied; each change is on the ticket's timeline", body = FeedbackResponse),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 404, description = "No such ticket for this account", body = super::error::ErrorBody),
        (status = 409, description = "The ticket changed at the same time", body = super::error::ErrorBody),
        (status = 422, description = "A value is wrong or the status change is not allowed; nothing was written", body = super::error::ErrorBody),
    )
)]
/// Updates status, content, priority, department, type, due date, solution and images.
pub async fn update(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(reference_id): Query<TicketRef>,
    request: Request,
) -> Result<Json<FeedbackResponse>, ApiError> {
    // A peer's outbox sends each update with a key: a redelivery is applied once.
    let receipt = request
        .headers()
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().chars().take(200).collect::<String>())
        .filter(|value| !value.is_empty());
    let payload = Payload::read_allowing(request, caller.kind == ApiAccountKind::Hq).await?;
    let id = reference_id
        .id
        .or_else(|| payload.get("id_feedback").and_then(super::payload::as_text))
        .unwrap_or_default();
    let ticket = resolve_ticket(&state, &caller, &id).await?;
    if let Some(key) = &receipt
        && state
            .db
            .api_receipt(caller.account_id, key)
            .await?
            .is_some()
    {
        let mut answer = FeedbackResponse::of(&ticket, None, Vec::new());
        answer
            .warnings
            .push(format!("update {key} was already applied"));
        return Ok(Json(answer));
    }
    let reference = state.reference().await?;
    let mut r = FieldReader::new(payload.fields(), "");
    let mut warnings = Vec::new();

    let status = r.int("id_status", |s| TicketStatus::from_id(s).is_some(), "a status id: 1 New, 2 Not processed, 3 Processing, 4 Processed, 5 Closed, 6 Reopened, 7 Cancelled");
    let priority = r.int(
        "id_priority",
        |p| (1..=4).contains(&p),
        "a priority id: 1 (low), 2 (medium), 3 (high), 4 (very high)",
    );
    let id_type = r.int(
        "id_type",
        |id| reference.request_types.contains(&id),
        &format!(
            "a request type id: {}",
            super::Reference::describe(&reference.request_types)
        ),
    );
    let department = department(&mut r, &reference, &mut warnings);
    let content = r.sent("content").then(|| r.text("content", 65_535));
    let solution = r.sent("solution").then(|| r.text("solution", 10_000));
    let due = r.date_time("date_due");
    let note = r.text("note", 5_000);

    let mut errors: FieldErrors = std::mem::take(&mut r.errors);
    for (field, message) in &payload.errors {
        errors
            .entry(field.clone())
            .or_insert_with(|| message.clone());
    }

    let mut changes = Vec::new();
    let mut changed = Vec::new();
    if let Some(content) = content.filter(|c| *c != ticket.content) {
        changes.push(TicketChange::Content(content));
        changed.push("content".to_owned());
    }
    if let Some(id_type) = id_type.filter(|t| *t != ticket.id_type) {
        changes.push(TicketChange::RequestType(id_type));
        changed.push("id_type".to_owned());
    }
    if let Some(priority) = priority.filter(|p| *p != ticket.id_priority) {
        changes.push(TicketChange::Priority(priority));
        changed.push("id_priority".to_owned());
    }
    if let Some(department) = department.filter(|d| Some(*d) != ticket.id_process_unit) {
        changes.push(TicketChange::Department(Some(department)));
        changed.push("id_process_unit".to_owned());
    }
    if let Some(due) = due.filter(|d| Some(*d) != ticket.date_due) {
        changes.push(TicketChange::Due(Some(due)));
        changed.push("date_due".to_owned());
    }
    let solution_after = solution.clone().unwrap_or_else(|| ticket.solution.clone());
    if let Some(solution) = solution.filter(|s| *s != ticket.solution) {
        changes.push(TicketChange::Solution(solution));
        changed.push("solution".to_owned());
    }
    if !note.is_empty() {
        changes.push(TicketChange::Note { body: note });
        changed.push("note".to_owned());
    }
    if let (Some(target), Some(current)) = (status.and_then(TicketStatus::from_id), ticket.status())
        && target != current
    {
        match current.check_transition(target, !solution_after.trim().is_empty()) {
            Ok(()) => {
                changes.push(TicketChange::Status {
                    from: current.id(),
                    to: target.id(),
                });
                changed.push("id_status".to_owned());
            }
            Err(refusal) => {
                let allowed: Vec<String> = current
                    .next()
                    .iter()
                    .map(|s| format!("{} {}", s.id(), s.key().text(Language::En)))
                    .collect();
                errors.insert(
                    "id_status".into(),
                    format!(
                        "{} (from {} {}); allowed next: {}",
                        refusal.key().text(Language::En),
                        current.id(),
                        current.key().text(Language::En),
                        if allowed.is_empty() {
                            "none".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    let files = store_files(&state, &payload.files, "").await?;
    if !files.is_empty() {
        changed.push("images".to_owned());
    }
    if !changes.is_empty() || !files.is_empty() {
        match state
            .db
            .change_ticket_many(
                ticket.id,
                &changes,
                &files,
                &caller.actor(),
                receipt.as_deref(),
            )
            .await
        {
            Ok(()) => {}
            // The same key raced in from a parallel redelivery: it was applied once.
            Err(StoreError::UniqueViolation(_)) if receipt.is_some() => {}
            Err(error) => return Err(error.into()),
        }
        tracing::info!(ticket_id = %ticket.id, api_account = caller.account_id, changes = changed.len(), "ticket updated through the API");
    }
    let updated = state.db.ticket(ticket.id).await?;
    let mut answer = FeedbackResponse::of(&updated, None, warnings);
    answer.changed = changed;
    Ok(Json(answer))
}

/// The create request, as documented (every field is also accepted as a string;
/// keys may carry spaces or the seed's spellings).
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FeedbackCreateRequest {
    /// The sender's own id for this ticket: the same id sent twice creates one ticket.
    pub id_feedback: Option<String>,
    /// 1 change request, 2 incident, 3 check, 4 other, 5 new connection, 6 support,
    /// 7 contract information, 8 meter check, 9 complaint, 10 meter reading, 14 quota.
    pub id_type: i64,
    /// 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.
    pub customer_phone: String,
    pub customer_name: Option<String>,
    pub customer_address: Option<String>,
    /// 11 digits; required for meter readings, quota and change requests.
    pub contact_code: Option<String>,
    /// SG, CL, GD, TD, PH, NB, TH, TA, CG, NT, TN, HM; else the contract's branch.
    pub branch_code: Option<String>,
    pub id_service_category: Option<i64>,
    pub id_related: Option<i64>,
    pub id_service_reason: Option<i64>,
    /// Unknown ids fall back to 97 (Callcenter) with a warning.
    pub id_process_unit: Option<i64>,
    /// 1 low, 2 medium (default), 3 high, 4 very high.
    pub id_priority: Option<i64>,
    /// Stored as sent (may hold HTML; shown inert).
    pub content: Option<String>,
    pub email: Option<String>,
    /// Citizen id (CCCD), 12 digits.
    #[serde(rename = "IdentifyNumber")]
    pub identify_number: Option<String>,
    pub id_customer: Option<String>,
    pub district_code: Option<String>,
    pub ward_code: Option<String>,
    pub province_code: Option<String>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Meter reading (id_type 10): the reading, month and year, the reporter's name,
    /// accuracy (> 0 read by the AI bot, 0 typed by hand).
    pub number: Option<i64>,
    pub month: Option<i64>,
    pub year: Option<i64>,
    pub name: Option<String>,
    pub accuracy: Option<String>,
    /// Incident (id_type 2): incident types as sent (opaque), phenomenon id.
    pub id_incident: Option<String>,
    pub id_phenomena: Option<i64>,
    /// New connection (id_type 5): 1 household, 2 business (then tax_code is required).
    pub customer_type: Option<i64>,
    pub tax_code: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_person_name: Option<String>,
    pub contact_person_phone: Option<String>,
    pub contact_person_email: Option<String>,
    pub contact_address: Option<String>,
    /// `yyyy-mm-dd HH:MM:SS` in Vietnam time; else from the SLA table.
    pub date_due: Option<String>,
    /// Quota registration (id_type 14): the household members.
    pub members: Option<Vec<QuotaMember>>,
    /// Images: files in multipart/form-data (`images`, `images[]`), or base64 strings in JSON.
    pub images: Option<Vec<String>>,
}

/// A household member of a quota registration; in multipart send
/// `members[0][code]`, … and the id-card images as `members[0][images][]`.
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct QuotaMember {
    /// Citizen id (CCCD), 12 digits.
    pub code: String,
    /// Name on the id card.
    pub name: String,
    /// Address on the id card.
    pub address: Option<String>,
    /// 1 permanent (thường trú), 2 temporary (tạm trú).
    pub address_type: Option<i64>,
    /// Id-card images, base64 (JSON) or files (multipart).
    pub images: Option<Vec<String>>,
}

/// The update request: only the fields sent are changed.
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FeedbackUpdateRequest {
    pub id_feedback: Option<String>,
    /// 1 New, 2 Not processed, 3 Processing, 4 Processed (needs a solution), 5 Closed,
    /// 6 Reopened, 7 Cancelled — along the workflow's transitions.
    pub id_status: Option<i64>,
    pub content: Option<String>,
    pub id_priority: Option<i64>,
    pub id_process_unit: Option<i64>,
    pub id_type: Option<i64>,
    /// `yyyy-mm-dd HH:MM:SS` in Vietnam time.
    pub date_due: Option<String>,
    /// Shown to the customer.
    pub solution: Option<String>,
    /// An internal note (never shown to the customer).
    pub note: Option<String>,
    pub images: Option<Vec<String>>,
}
