//! The ticket workflow's rules, shared by the portal (and later the API).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};

use crate::auth::{CurrentUser, Permission, Scope, authorize};
use crate::domain::fold::fold;
use crate::domain::{
    BranchCode, CitizenId, ContractCode, Phone, TicketId, TicketSource, TicketStatus, UserId,
};
use crate::error::{AppError, FormErrors};
use crate::i18n::Key;
use crate::store::Db;
use crate::store::tickets::{NewTicket, Ticket, TicketChange, TicketMember, TicketSearch};

/// The kinds of request the new-ticket form offers, each with its own fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    NewConnection,
    MeterReading,
    Incident,
    Quota,
    Relocation,
    Reinstatement,
    Transfer,
    ChangeOfUse,
    Other,
}

impl RequestKind {
    pub const ALL: [RequestKind; 9] = [
        RequestKind::Incident,
        RequestKind::MeterReading,
        RequestKind::NewConnection,
        RequestKind::Quota,
        RequestKind::Relocation,
        RequestKind::Reinstatement,
        RequestKind::Transfer,
        RequestKind::ChangeOfUse,
        RequestKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestKind::NewConnection => "new_connection",
            RequestKind::MeterReading => "meter_reading",
            RequestKind::Incident => "incident",
            RequestKind::Quota => "quota",
            RequestKind::Relocation => "relocation",
            RequestKind::Reinstatement => "reinstatement",
            RequestKind::Transfer => "transfer",
            RequestKind::ChangeOfUse => "change_of_use",
            RequestKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<RequestKind> {
        RequestKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    pub fn key(self) -> Key {
        match self {
            RequestKind::NewConnection => Key::KindNewConnection,
            RequestKind::MeterReading => Key::KindMeterReading,
            RequestKind::Incident => Key::KindIncident,
            RequestKind::Quota => Key::KindQuota,
            RequestKind::Relocation => Key::KindRelocation,
            RequestKind::Reinstatement => Key::KindReinstatement,
            RequestKind::Transfer => Key::KindTransfer,
            RequestKind::ChangeOfUse => Key::KindChangeOfUse,
            RequestKind::Other => Key::KindOther,
        }
    }

    /// The seed's id_type and service catalogue ids for this kind
    /// (`Other` takes its id_type from the form).
    pub fn tags(self) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
        match self {
            RequestKind::NewConnection => (5, Some(2), Some(9), Some(20)),
            RequestKind::MeterReading => (10, Some(1), Some(2), Some(31)),
            RequestKind::Incident => (2, Some(2), Some(8), None),
            RequestKind::Quota => (14, Some(1), Some(4), Some(10)),
            RequestKind::Relocation => (1, Some(2), Some(10), Some(23)),
            RequestKind::Reinstatement => (1, Some(2), Some(10), Some(22)),
            RequestKind::Transfer => (1, Some(1), Some(5), Some(15)),
            RequestKind::ChangeOfUse => (1, Some(1), Some(4), Some(11)),
            RequestKind::Other => (4, None, None, None),
        }
    }
}

/// The request types an "other" request may take.
pub const OTHER_TYPES: [i64; 6] = [3, 4, 6, 7, 8, 9];

/// One household member row of the quota form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub address_type: String,
}

/// The new-ticket form as submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketForm {
    pub kind: String,
    pub branch: String,
    pub id_type: String,
    pub id_priority: String,
    pub id_process_unit: String,
    pub contact_code: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub email: String,
    pub customer_address: String,
    pub ward_code: String,
    pub district_code: String,
    pub content: String,
    pub date_due: String,
    pub number: String,
    pub month: String,
    pub year: String,
    pub incident_type: String,
    pub id_phenomena: String,
    pub latitude: String,
    pub longitude: String,
    pub customer_type: String,
    pub tax_code: String,
    pub legal_representative: String,
    pub contact_person_name: String,
    pub contact_person_phone: String,
    pub contact_person_email: String,
    pub contact_address: String,
    pub members: Vec<MemberForm>,
}

impl TicketForm {
    fn keep(&self, errors: &mut FormErrors) {
        let fields = [
            ("kind", &self.kind),
            ("branch", &self.branch),
            ("id_type", &self.id_type),
            ("id_priority", &self.id_priority),
            ("id_process_unit", &self.id_process_unit),
            ("contact_code", &self.contact_code),
            ("customer_name", &self.customer_name),
            ("customer_phone", &self.customer_phone),
            ("email", &self.email),
            ("customer_address", &self.customer_address),
            ("ward_code", &self.ward_code),
            ("district_code", &self.district_code),
            ("content", &self.content),
            ("date_due", &self.date_due),
            ("number", &self.number),
            ("month", &self.month),
            ("year", &self.year),
            ("incident_type", &self.incident_type),
            ("id_phenomena", &self.id_phenomena),
            ("latitude", &self.latitude),
            ("longitude", &self.longitude),
            ("customer_type", &self.customer_type),
            ("tax_code", &self.tax_code),
            ("legal_representative", &self.legal_representative),
            ("contact_person_name", &self.contact_person_name),
            ("contact_person_phone", &self.contact_person_phone),
            ("contact_person_email", &self.contact_person_email),
            ("contact_address", &self.contact_address),
        ];
        for (name, value) in fields {
            errors.keep(name, value);
        }
        for (index, member) in self.members.iter().enumerate() {
            errors.keep(&format!("members.{index}.code"), &member.code);
            errors.keep(&format!("members.{index}.name"), &member.name);
            errors.keep(&format!("members.{index}.address"), &member.address);
            errors.keep(
                &format!("members.{index}.address_type"),
                &member.address_type,
            );
        }
    }
}

fn optional_int(
    value: &str,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut FormErrors,
) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(number) if range.contains(&number) => Some(number),
        _ => {
            errors.add_with_detail(
                field,
                Key::NumberOutOfRange,
                format!("{}–{}", range.start(), range.end()),
            );
            None
        }
    }
}

fn required_int(
    value: &str,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut FormErrors,
) -> Option<i64> {
    if value.trim().is_empty() {
        errors.add(field, Key::FieldRequired);
        return None;
    }
    optional_int(value, field, range, errors)
}

fn bounded_text(value: &str, field: &str, max: usize, errors: &mut FormErrors) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add_with_detail(field, Key::FieldTooLong, format!("≤ {max}"));
    }
    value.to_owned()
}

/// A date that is not `dd/mm/yyyy` (or `yyyy-mm-dd`), or not a real day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidDate;

/// A date typed as `dd/mm/yyyy` (or the browser's `yyyy-mm-dd`), as the end of that day in Vietnam.
pub fn parse_due_date(value: &str) -> Result<Option<DateTime<Utc>>, InvalidDate> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(value, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .map_err(|_| InvalidDate)?;
    let end_of_day = date.and_hms_opt(23, 59, 0).ok_or(InvalidDate)?;
    Ho_Chi_Minh
        .from_local_datetime(&end_of_day)
        .single()
        .map(|moment| Some(moment.with_timezone(&Utc)))
        .ok_or(InvalidDate)
}

/// May this user create and work tickets of `branch`?
/// `None`: an unrouted ticket, which only HQ staff work on.
pub fn may_work(user: &CurrentUser, branch: Option<&BranchCode>) -> Result<(), AppError> {
    authorize(user, Permission::WorkTickets, branch)
}

/// Parses, checks and creates a ticket typed by a staff member.
pub async fn create_from_form(
    db: &Db,
    actor: &CurrentUser,
    form: &TicketForm,
) -> Result<TicketId, AppError> {
    authorize(actor, Permission::WorkTickets, actor.branch.as_ref())?;
    let mut errors = FormErrors::default();
    form.keep(&mut errors);

    let kind = RequestKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", Key::UnknownKind);
    }
    let kind = kind.unwrap_or(RequestKind::Other);
    let (mut id_type, id_service_category, id_related, id_service_reason) = kind.tags();
    if kind == RequestKind::Other {
        match form.id_type.trim().parse::<i64>() {
            Ok(value) if OTHER_TYPES.contains(&value) => id_type = value,
            _ => errors.add_with_detail(
                "id_type",
                Key::UnknownChoice,
                OTHER_TYPES.map(|t| t.to_string()).join(", "),
            ),
        }
    }

    let contact_code = match form.contact_code.trim() {
        "" if matches!(
            kind,
            RequestKind::NewConnection | RequestKind::Other | RequestKind::Incident
        ) =>
        {
            None
        }
        "" => {
            errors.add("contact_code", Key::FieldRequired);
            None
        }
        value => match ContractCode::parse(value) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.add("contact_code", Key::ContractCodeInvalid);
                None
            }
        },
    };
    let contract = match &contact_code {
        Some(code) => db.contract_with_customer(code).await?,
        None => None,
    };

    // The branch: the contract's, else the user's, else the one chosen (HQ users),
    // else none: the ticket waits in HQ's unrouted queue.
    let branch = match (&contract, &actor.branch) {
        (Some(contract), _) => Some(contract.branch_code.clone()),
        (None, Some(own)) => Some(own.clone()),
        (None, None) if form.branch.trim().is_empty() => None,
        (None, None) => match BranchCode::parse(&form.branch) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.add_with_detail("branch", Key::UnknownBranch, BranchCode::ALL.join(", "));
                None
            }
        },
    };
    if let Some(branch) = &branch
        && Scope::of(actor).branch().is_some_and(|own| own != branch)
    {
        errors.add("contact_code", Key::ContractOutOfScope);
    }

    let customer_phone = match form.customer_phone.trim() {
        "" => {
            let from_contract = contract.as_ref().and_then(|c| c.customer_phone.clone());
            if from_contract.is_none() {
                errors.add("customer_phone", Key::FieldRequired);
            }
            from_contract
        }
        value => match Phone::parse(value) {
            Ok(phone) => Some(phone),
            Err(_) => {
                errors.add("customer_phone", Key::PhoneInvalid);
                None
            }
        },
    };
    let mut customer_name = bounded_text(&form.customer_name, "customer_name", 255, &mut errors);
    if customer_name.is_empty() {
        customer_name = contract
            .as_ref()
            .and_then(|c| c.customer_name.clone())
            .unwrap_or_default();
    }
    if customer_name.is_empty() {
        errors.add("customer_name", Key::FieldRequired);
    }
    let email = bounded_text(&form.email, "email", 255, &mut errors);
    let email_ok = email.is_empty() || (email.contains('@') && email.contains('.'));
    if !email_ok {
        errors.add("email", Key::EmailInvalid);
    }
    let mut customer_address =
        bounded_text(&form.customer_address, "customer_address", 255, &mut errors);
    if customer_address.is_empty() {
        customer_address = contract
            .as_ref()
            .map(|c| c.address.clone())
            .unwrap_or_default();
    }
    let content = bounded_text(&form.content, "content", 10_000, &mut errors);
    if content.is_empty() && matches!(kind, RequestKind::Incident | RequestKind::Other) {
        errors.add("content", Key::FieldRequired);
    }
    let id_priority =
        optional_int(&form.id_priority, "id_priority", 1..=4, &mut errors).unwrap_or(2);
    let id_process_unit = match optional_int(
        &form.id_process_unit,
        "id_process_unit",
        97..=109,
        &mut errors,
    ) {
        Some(101) => {
            errors.add_with_detail("id_process_unit", Key::UnknownChoice, "97–100, 102–109");
            None
        }
        other => other.or(Some(97)),
    };
    let date_due = parse_due_date(&form.date_due).unwrap_or_else(|InvalidDate| {
        errors.add("date_due", Key::DateInvalid);
        None
    });

    let mut ticket = NewTicket {
        id_type,
        id_priority,
        id_process_unit,
        source: TicketSource::Staff.code(),
        id_customer: contract.as_ref().and_then(|c| c.customer_id),
        contact_code,
        customer_name,
        customer_phone,
        email,
        customer_address,
        ward_code: bounded_text(&form.ward_code, "ward_code", 30, &mut errors),
        district_code: bounded_text(&form.district_code, "district_code", 30, &mut errors),
        province_code: "79".into(),
        content,
        id_service_category,
        id_related,
        id_service_reason,
        created_by: Some(actor.id),
        actor_label: actor.display_name.clone(),
        ..NewTicket::default()
    };

    match kind {
        RequestKind::MeterReading => {
            ticket.reading_number =
                required_int(&form.number, "number", 0..=99_999_999, &mut errors);
            ticket.reading_month = required_int(&form.month, "month", 1..=12, &mut errors);
            ticket.reading_year = required_int(&form.year, "year", 2000..=2100, &mut errors);
            ticket.accuracy = "0".into();
        }
        RequestKind::Incident => {
            ticket.incident_type =
                bounded_text(&form.incident_type, "incident_type", 255, &mut errors);
            ticket.id_phenomena =
                optional_int(&form.id_phenomena, "id_phenomena", 1..=99, &mut errors);
            ticket.latitude = bounded_text(&form.latitude, "latitude", 60, &mut errors);
            ticket.longitude = bounded_text(&form.longitude, "longitude", 60, &mut errors);
            if ticket.customer_address.is_empty() {
                errors.add("customer_address", Key::FieldRequired);
            }
        }
        RequestKind::NewConnection => {
            let customer_type =
                optional_int(&form.customer_type, "customer_type", 1..=2, &mut errors).unwrap_or(1);
            ticket.customer_type = Some(customer_type);
            if ticket.customer_address.is_empty() {
                errors.add("customer_address", Key::FieldRequired);
            }
            if customer_type == 2 {
                ticket.tax_code = bounded_text(&form.tax_code, "tax_code", 20, &mut errors);
                if !(ticket.tax_code.len() == 10 || ticket.tax_code.len() == 14)
                    || !ticket
                        .tax_code
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '-')
                {
                    errors.add("tax_code", Key::TaxCodeInvalid);
                }
                ticket.legal_representative = bounded_text(
                    &form.legal_representative,
                    "legal_representative",
                    255,
                    &mut errors,
                );
                ticket.contact_person_name = bounded_text(
                    &form.contact_person_name,
                    "contact_person_name",
                    255,
                    &mut errors,
                );
                if ticket.contact_person_name.is_empty() {
                    errors.add("contact_person_name", Key::FieldRequired);
                }
                ticket.contact_person_phone = match Phone::parse(&form.contact_person_phone) {
                    Ok(phone) => phone.as_str().to_owned(),
                    Err(_) => {
                        errors.add("contact_person_phone", Key::PhoneInvalid);
                        String::new()
                    }
                };
                ticket.contact_person_email = bounded_text(
                    &form.contact_person_email,
                    "contact_person_email",
                    255,
                    &mut errors,
                );
                ticket.contact_address =
                    bounded_text(&form.contact_address, "contact_address", 255, &mut errors);
            }
        }
        RequestKind::Quota => {
            for (index, member) in form.members.iter().enumerate() {
                let blank = member.code.trim().is_empty() && member.name.trim().is_empty();
                if blank {
                    continue;
                }
                let code = match CitizenId::parse(&member.code) {
                    Ok(id) => id.as_str().to_owned(),
                    Err(_) => {
                        errors.add(&format!("members.{index}.code"), Key::CitizenIdInvalid);
                        String::new()
                    }
                };
                let name = bounded_text(
                    &member.name,
                    &format!("members.{index}.name"),
                    255,
                    &mut errors,
                );
                if name.is_empty() {
                    errors.add(&format!("members.{index}.name"), Key::FieldRequired);
                }
                let address_type = match member.address_type.trim() {
                    "2" => 2,
                    _ => 1,
                };
                ticket.members.push(TicketMember {
                    citizen_id: code,
                    name,
                    address: bounded_text(
                        &member.address,
                        &format!("members.{index}.address"),
                        255,
                        &mut errors,
                    ),
                    address_type,
                });
            }
            if ticket.members.is_empty() {
                errors.add("members.0.code", Key::QuotaNeedsMembers);
            }
        }
        _ => {}
    }
    errors.clone().into_result()?;
    may_work(actor, branch.as_ref())?;
    if ticket.date_due.is_none() {
        ticket.date_due = match date_due {
            Some(due) => Some(due),
            None => db
                .sla_hours(id_type, id_priority)
                .await?
                .map(|hours| Utc::now() + Duration::hours(hours)),
        };
    }
    ticket.branch = branch;
    let id = db.create_ticket(&ticket).await?;
    tracing::info!(ticket_id = %id, kind = kind.code(), "ticket created");
    Ok(id)
}

/// Loads a ticket the user may see; outside their scope it does not exist for them.
pub async fn visible_ticket(db: &Db, user: &CurrentUser, id: TicketId) -> Result<Ticket, AppError> {
    let ticket = db.ticket(id).await?;
    check_visible(user, &ticket)?;
    Ok(ticket)
}

/// Another branch's ticket does not exist for a branch user (404, not 403).
fn check_visible(user: &CurrentUser, ticket: &Ticket) -> Result<(), AppError> {
    if Scope::of(user).covers(ticket.branch_code.as_ref()) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Everything the ticket page shows of a ticket the user may see: the ticket and
/// its timeline in one statement, the lists a ticket seldom has (members, files,
/// sync messages) read only when not empty, and whom it may be assigned to.
pub struct TicketView {
    pub ticket: Ticket,
    pub events: Vec<crate::store::tickets::TicketEvent>,
    /// Whether the user may work the ticket (change, assign, upload).
    pub may_change: bool,
    /// Whom the ticket may be assigned to: empty unless the user may change it.
    pub assignable_staff: std::sync::Arc<Vec<(UserId, String)>>,
    pub members: Vec<crate::store::tickets::TicketMember>,
    pub attachments: Vec<crate::store::tickets::Attachment>,
    pub outbox: Vec<crate::store::outbox::OutboxMessage>,
}

pub async fn ticket_view(
    state: &crate::state::AppState,
    user: &CurrentUser,
    id: TicketId,
) -> Result<TicketView, AppError> {
    let db = &state.db;
    let crate::store::tickets::TicketRead {
        ticket,
        extras,
        events,
    } = db.ticket_for_page(id).await?;
    check_visible(user, &ticket)?;
    let may_change = may_work(user, ticket.branch_code.as_ref()).is_ok();
    let assignable_staff = if may_change {
        assignable_staff(state, ticket.branch_code.as_ref()).await?
    } else {
        std::sync::Arc::default()
    };
    Ok(TicketView {
        events,
        may_change,
        assignable_staff,
        members: if extras.has_members {
            db.ticket_members(id).await?
        } else {
            Vec::new()
        },
        attachments: if extras.has_attachments {
            db.ticket_attachments(id).await?
        } else {
            Vec::new()
        },
        outbox: if extras.has_outbox {
            db.ticket_outbox(id).await?
        } else {
            Vec::new()
        },
        ticket,
    })
}

/// Whom tickets of `branch` may be assigned to, as the page offers them: read a
/// moment ago unless an account changed since (see `auth::AccountReads`). An
/// assignment itself checks the assignee against a fresh read.
async fn assignable_staff(
    state: &crate::state::AppState,
    branch: Option<&BranchCode>,
) -> Result<std::sync::Arc<Vec<(UserId, String)>>, AppError> {
    let key = branch.cloned();
    if let Some(staff) = state.assignable_staff.get(&key, |_| true) {
        return Ok(staff);
    }
    let generation = state.assignable_staff.generation();
    let staff = std::sync::Arc::new(state.db.assignable_staff(branch).await?);
    state.assignable_staff.put(key, staff.clone(), generation);
    Ok(staff)
}

/// Recognises what the search box holds: a phone, a contract code, a ticket code, or words.
pub fn parse_search(input: &str) -> Option<TicketSearch> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    match (Phone::parse(input), ContractCode::parse(input)) {
        (Ok(phone), Ok(code)) => return Some(TicketSearch::PhoneOrContract(phone, code)),
        (Ok(phone), Err(_)) => return Some(TicketSearch::Phone(phone)),
        (Err(_), Ok(code)) => return Some(TicketSearch::ContractCode(code)),
        (Err(_), Err(_)) => {}
    }
    let upper = input.to_ascii_uppercase();
    if let Some((branch, number)) = upper.split_once('-')
        && (BranchCode::parse(branch).is_ok()
            || branch == crate::store::tickets::UNROUTED_CODE_PREFIX)
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(TicketSearch::Code(format!("{branch}-{number:0>7}")));
    }
    let words: Vec<String> = fold(input)
        .split(' ')
        .map(ToOwned::to_owned)
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    Some(TicketSearch::Words(words))
}

async fn load_for_change(db: &Db, actor: &CurrentUser, id: TicketId) -> Result<Ticket, AppError> {
    let ticket = visible_ticket(db, actor, id).await?;
    may_work(actor, ticket.branch_code.as_ref())?;
    Ok(ticket)
}

/// Moves a ticket to another status along the workflow.
pub async fn change_status(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    to: &str,
) -> Result<(), AppError> {
    let ticket = load_for_change(db, actor, id).await?;
    let Some(target) = to.trim().parse().ok().and_then(TicketStatus::from_id) else {
        return Err(AppError::field("id_status", Key::UnknownChoice));
    };
    let current = ticket.status().ok_or(AppError::Internal)?;
    current
        .check_transition(target, !ticket.solution.trim().is_empty())
        .map_err(|refusal| AppError::field("id_status", refusal.key()))?;
    db.change_ticket(
        id,
        &TicketChange::Status {
            from: current.id(),
            to: target.id(),
        },
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    Ok(())
}

/// Assigns a ticket to a department and (optionally) a staff member allowed on its branch.
pub async fn assign(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    department: &str,
    assignee: &str,
) -> Result<(), AppError> {
    let ticket = load_for_change(db, actor, id).await?;
    let mut errors = FormErrors::default();
    let department = optional_int(department, "id_process_unit", 97..=109, &mut errors);
    let assignee = match assignee.trim() {
        "" => None,
        value => match value.parse::<i64>() {
            Ok(user_id) => {
                let allowed = db.assignable_staff(ticket.branch_code.as_ref()).await?;
                match allowed.into_iter().find(|(id, _)| id.0 == user_id) {
                    Some(found) => Some(found),
                    None => {
                        errors.add("assignee", Key::AssigneeOutOfScope);
                        None
                    }
                }
            }
            Err(_) => {
                errors.add("assignee", Key::UnknownChoice);
                None
            }
        },
    };
    errors.into_result()?;
    let label = assignee
        .as_ref()
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    let change = TicketChange::Assign {
        department,
        assignee: assignee.map(|(id, _)| id),
        label,
    };
    db.change_ticket(id, &change, Some(actor.id), &actor.display_name)
        .await?;
    Ok(())
}

pub async fn set_priority(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    priority: &str,
) -> Result<(), AppError> {
    load_for_change(db, actor, id).await?;
    let mut errors = FormErrors::default();
    let priority = required_int(priority, "id_priority", 1..=4, &mut errors);
    errors.into_result()?;
    let priority = priority.ok_or(AppError::Internal)?;
    db.change_ticket(
        id,
        &TicketChange::Priority(priority),
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    Ok(())
}

pub async fn set_due(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    due: &str,
) -> Result<(), AppError> {
    load_for_change(db, actor, id).await?;
    let due = parse_due_date(due).map_err(|InvalidDate| {
        let mut errors = FormErrors::default();
        errors.add("date_due", Key::DateInvalid);
        errors.keep("date_due", due);
        AppError::Validation(errors)
    })?;
    db.change_ticket(
        id,
        &TicketChange::Due(due),
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    Ok(())
}

pub async fn set_solution(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    solution: &str,
) -> Result<(), AppError> {
    load_for_change(db, actor, id).await?;
    let mut errors = FormErrors::default();
    let solution = bounded_text(solution, "solution", 10_000, &mut errors);
    errors.into_result()?;
    db.change_ticket(
        id,
        &TicketChange::Solution(solution),
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    Ok(())
}

/// Adds an internal note (never shown to the customer).
pub async fn add_note(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    body: &str,
) -> Result<(), AppError> {
    load_for_change(db, actor, id).await?;
    let mut errors = FormErrors::default();
    let body = bounded_text(body, "body", 5_000, &mut errors);
    if body.is_empty() {
        errors.add("body", Key::FieldRequired);
    }
    errors.into_result()?;
    db.change_ticket(
        id,
        &TicketChange::Note { body },
        Some(actor.id),
        &actor.display_name,
    )
    .await?;
    Ok(())
}

/// HQ routes a ticket to a branch: an unrouted one by hand, or a routed one to
/// another branch, giving the reason (shown on the timeline).
pub async fn reroute(
    db: &Db,
    actor: &CurrentUser,
    id: TicketId,
    branch: &str,
    reason: &str,
) -> Result<(), AppError> {
    let ticket = load_for_change(db, actor, id).await?;
    if actor.branch.is_some() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::default();
    errors.keep("branch", branch);
    errors.keep("reason", reason);
    let to = match BranchCode::parse(branch) {
        Err(_) if branch.trim().is_empty() => {
            errors.add("branch", Key::FieldRequired);
            None
        }
        Ok(to) if Some(&to) == ticket.branch_code.as_ref() => {
            errors.add("branch", Key::RerouteSameBranch);
            None
        }
        Ok(to) => Some(to),
        Err(_) => {
            errors.add_with_detail("branch", Key::UnknownBranch, BranchCode::ALL.join(", "));
            None
        }
    };
    let reason = bounded_text(reason, "reason", 500, &mut errors);
    if reason.is_empty() {
        errors.add("reason", Key::FieldRequired);
    }
    if !ticket.status().is_some_and(TicketStatus::is_open) {
        errors.add("branch", Key::RerouteClosed);
    }
    errors.clone().into_result()?;
    let to = to.ok_or(AppError::Validation(errors))?;
    let who = crate::store::tickets::Actor {
        user: Some(actor.id),
        api_account: None,
        label: actor.display_name.clone(),
    };
    db.reroute_ticket(id, ticket.branch_code.as_ref(), &to, &reason, &who)
        .await?;
    tracing::info!(ticket_id = %id, from = ?ticket.branch_code, to = %to, "ticket routed");
    Ok(())
}

/// The branch filter's value for HQ's unrouted queue (`/tickets?branch=unrouted`).
pub const UNROUTED_FILTER: &str = "unrouted";

/// The ticket list's query string (filters, search, cursor), as typed.
#[derive(Clone, Debug, Default)]
pub struct TicketListQuery {
    pub q: String,
    pub branch: String,
    pub status: String,
    pub id_type: String,
    pub priority: String,
    pub department: String,
    pub source: String,
    pub from: String,
    pub to: String,
    pub overdue: bool,
    pub mine: bool,
    pub after: String,
}

impl TicketListQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> TicketListQuery {
        let get = |name: &str| get(name).unwrap_or_default();
        TicketListQuery {
            q: get("q"),
            branch: get("branch"),
            status: get("status"),
            id_type: get("id_type"),
            priority: get("priority"),
            department: get("department"),
            source: get("source"),
            from: get("from"),
            to: get("to"),
            overdue: get("overdue") == "1",
            mine: get("mine") == "1",
            after: get("after"),
        }
    }

    /// The store filter for `user`: their branch scope always applies, whatever was asked.
    pub fn to_filter(
        &self,
        user: &CurrentUser,
        now: DateTime<Utc>,
    ) -> crate::store::tickets::TicketFilter {
        let id = |value: &str| value.trim().parse::<i64>().ok();
        let day_start = |value: &str| {
            parse_due_date(value)
                .ok()
                .flatten()
                .map(|end| end - Duration::hours(23) - Duration::minutes(59))
        };
        crate::store::tickets::TicketFilter {
            scope: Scope::of(user).branch().cloned(),
            branch: BranchCode::parse(&self.branch).ok(),
            unrouted: self.branch == UNROUTED_FILTER,
            status: id(&self.status),
            id_type: id(&self.id_type),
            priority: id(&self.priority),
            department: id(&self.department),
            assignee: self.mine.then_some(user.id),
            source: TicketSource::parse(&self.source).map(TicketSource::code),
            created_from: day_start(&self.from),
            created_before: parse_due_date(&self.to).ok().flatten(),
            overdue_at: self.overdue.then_some(now),
            customer: None,
            search: parse_search(&self.q),
        }
    }
}

/// Parses a ticket id from a path or form.
pub fn parse_ticket_id(value: &str) -> Result<TicketId, AppError> {
    crate::request::id_param(value).map(TicketId)
}

/// A user id from a form (empty: none).
pub fn parse_user_id(value: &str) -> Option<UserId> {
    value.trim().parse().ok().map(UserId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_recognises_identifiers_and_folds_words() {
        assert!(matches!(
            parse_search("0912 345 678"),
            Some(TicketSearch::Phone(_))
        ));
        assert!(matches!(
            parse_search("1234 567 8901"),
            Some(TicketSearch::ContractCode(_))
        ));
        assert_eq!(
            parse_search("gd-42"),
            Some(TicketSearch::Code("GD-0000042".into()))
        );
        assert_eq!(
            parse_search("Nguyễn  Văn A"),
            Some(TicketSearch::Words(vec![
                "nguyen".into(),
                "van".into(),
                "a".into()
            ]))
        );
        assert_eq!(parse_search("   "), None);
    }

    #[test]
    fn due_dates_are_read_day_first_in_vietnam_time() {
        let due = parse_due_date("31/12/2026")
            .expect("valid")
            .expect("a date");
        assert_eq!(due.to_rfc3339(), "2026-12-31T16:59:00+00:00");
        assert_eq!(parse_due_date("2026-12-31").expect("valid"), Some(due));
        assert_eq!(parse_due_date("31/13/2026"), Err(InvalidDate));
        assert_eq!(parse_due_date(""), Ok(None));
    }
}

/// What a bulk action did: the tickets changed and, for each refused one, why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkReport {
    pub changed: usize,
    pub refused: Vec<(String, Key)>,
}

/// Applies one action (`status`, `priority` or `department`) to many tickets, each
/// checked on its own for scope, permission and workflow.
pub async fn bulk_apply(
    db: &Db,
    actor: &CurrentUser,
    ids: &[String],
    action: &str,
    value: &str,
) -> Result<BulkReport, AppError> {
    authorize(actor, Permission::WorkTickets, actor.branch.as_ref())?;
    if ids.is_empty() {
        return Err(AppError::field("ids", Key::BulkNothingSelected));
    }
    if ids.len() > 500 {
        return Err(AppError::field("ids", Key::BulkTooMany));
    }
    if !matches!(action, "status" | "priority" | "department") {
        return Err(AppError::field("action", Key::UnknownChoice));
    }
    let mut report = BulkReport::default();
    for raw in ids {
        let Ok(id) = parse_ticket_id(raw) else {
            continue;
        };
        let result = match action {
            "status" => change_status(db, actor, id, value).await,
            "priority" => set_priority(db, actor, id, value).await,
            _ => {
                let current = db
                    .ticket(id)
                    .await
                    .ok()
                    .and_then(|ticket| ticket.assignee_user_id);
                let assignee = current.map(|user| user.to_string()).unwrap_or_default();
                assign(db, actor, id, value, &assignee).await
            }
        };
        match result {
            Ok(()) => report.changed += 1,
            Err(error) => {
                let code = db
                    .ticket(id)
                    .await
                    .ok()
                    .filter(|ticket| Scope::of(actor).covers(ticket.branch_code.as_ref()))
                    .and_then(|ticket| ticket.feedback_code)
                    .unwrap_or_else(|| id.to_string());
                let reason = error
                    .form_errors()
                    .and_then(|errors| errors.fields.first())
                    .map_or_else(|| error.message_key(), |field| field.message);
                report.refused.push((code, reason));
            }
        }
    }
    tracing::info!(
        changed = report.changed,
        refused = report.refused.len(),
        action,
        "bulk ticket action"
    );
    Ok(report)
}
