//! One ticket: every field, its timeline, and the actions along the workflow.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::components::{
    ErrorBanner, Layout, Notice, SelectField, TextArea, TextField, submission_error,
};
use crate::domain::TicketStatus;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::query_param;
use crate::pages::ticket_common::{Lookups, status_badge};
use crate::request::{app_state, require_user};
use crate::store::tickets::{Ticket, TicketEvent};
use crate::tickets::parse_ticket_id;

macro_rules! ticket_action {
    ($name:ident, $endpoint:literal, $service:path, $($arg:ident),*) => {
        #[server(endpoint = $endpoint)]
        pub async fn $name(id: String, $($arg: String),*) -> Result<(), AppError> {
            let actor = require_user()?;
            let id = parse_ticket_id(&id)?;
            $service(&app_state()?.db, &actor, id, $(&$arg),*).await?;
            leptos_axum::redirect(&format!("/tickets/{id}?done=saved"));
            Ok(())
        }
    };
}

ticket_action!(
    change_ticket_status,
    "tickets/status",
    crate::tickets::change_status,
    id_status
);
ticket_action!(
    assign_ticket,
    "tickets/assign",
    crate::tickets::assign,
    id_process_unit,
    assignee
);
ticket_action!(
    set_ticket_priority,
    "tickets/priority",
    crate::tickets::set_priority,
    id_priority
);
ticket_action!(
    set_ticket_due,
    "tickets/due",
    crate::tickets::set_due,
    date_due
);
ticket_action!(
    set_ticket_solution,
    "tickets/solution",
    crate::tickets::set_solution,
    solution
);
ticket_action!(
    reroute_ticket,
    "tickets/reroute",
    crate::tickets::reroute,
    branch,
    reason
);
ticket_action!(
    add_ticket_note,
    "tickets/note",
    crate::tickets::add_note,
    body
);

fn event_line(event: &TicketEvent, lookups: &Lookups) -> impl IntoView + use<> {
    let (verb, detail) = match event.kind.as_str() {
        "created" => (Key::EventCreated, String::new()),
        "status" => {
            let name = |value: &str| {
                value
                    .parse()
                    .ok()
                    .and_then(TicketStatus::from_id)
                    .map_or("—", |status| t(status.key()))
            };
            (
                Key::EventStatus,
                format!("{} → {}", name(&event.from_value), name(&event.to_value)),
            )
        }
        "assign" => (Key::EventAssign, event.to_value.clone()),
        "priority" => (
            Key::EventPriority,
            event
                .to_value
                .parse()
                .map(|id| lookups.priority_name(id))
                .unwrap_or_default(),
        ),
        "due" => (
            Key::EventDue,
            chrono::DateTime::parse_from_rfc3339(&event.to_value)
                .map(|due| crate::format::date_time(due.with_timezone(&chrono::Utc)))
                .unwrap_or_default(),
        ),
        "solution" => (Key::EventSolution, String::new()),
        "attachment" => (Key::EventAttachment, event.body.clone()),
        "reroute" if event.from_value.is_empty() => (
            Key::EventRoute,
            format!("{} — {}", event.to_value, event.body),
        ),
        "reroute" => (
            Key::EventReroute,
            format!("{} → {} — {}", event.from_value, event.to_value, event.body),
        ),
        _ => (Key::EventNote, String::new()),
    };
    view! {
        <li class="event" class:event-internal=event.internal>
            <div class="event-head">
                <time>{crate::format::date_time(event.created_at)}</time>
                " · " <strong>{event.actor_label.clone()}</strong> " " {t(verb)}
                {(!detail.is_empty()).then(|| view! { ": " <span>{detail.clone()}</span> })}
                {event.internal.then(|| view! { " " <span class="badge">{t(Key::InternalNote)}</span> })}
            </div>
            {(!event.body.is_empty() && event.kind != "attachment")
                .then(|| view! { <p class="event-body">{event.body.clone()}</p> })}
        </li>
    }
}

fn fact(label: Key, value: String) -> impl IntoView {
    (!value.trim().is_empty()).then(|| view! { <dt>{t(label)}</dt><dd>{value}</dd> })
}

fn facts(ticket: &Ticket, lookups: &Lookups) -> impl IntoView + use<> {
    let phone = ticket
        .customer_phone
        .as_ref()
        .map(|p| p.display())
        .unwrap_or_default();
    let contract = ticket
        .contact_code
        .as_ref()
        .map(|c| c.display())
        .unwrap_or_default();
    let reading = ticket.reading_number.map(|number| {
        format!(
            "{number} ({:02}/{})",
            ticket.reading_month.unwrap_or_default(),
            ticket.reading_year.unwrap_or_default()
        )
    });
    // accuracy > 0: read from the photo by the AI bot (its confidence); 0: typed by hand.
    let read_by = ticket
        .reading_number
        .map(|_| match ticket.accuracy.trim().parse::<f64>() {
            Ok(confidence) if confidence > 0.0 => {
                format!("{} ({})", t(Key::ReadByBot), ticket.accuracy.trim())
            }
            _ => t(Key::ReadByHand).to_owned(),
        });
    let customer_type = match ticket.customer_type {
        Some(1) => t(Key::Household).to_owned(),
        Some(2) => t(Key::Business).to_owned(),
        _ => String::new(),
    };
    view! {
        <dl class="facts">
            {fact(Key::RequestType, lookups.type_name(ticket.id_type))}
            {fact(Key::Branch, crate::format::branch_or_unrouted(ticket.branch_code.as_ref()))}
            {fact(Key::Source, crate::domain::TicketSource::parse(&ticket.source).map(|s| t(s.key()).to_owned()).unwrap_or_default())}
            {fact(Key::Customer, ticket.customer_name.clone())}
            {fact(Key::Phone, phone)}
            {fact(Key::Email, ticket.email.clone())}
            {fact(Key::ContractCodeLabel, contract)}
            {fact(Key::Address, ticket.customer_address.clone())}
            {fact(Key::WardCode, ticket.ward_code.clone())}
            {fact(Key::DistrictCode, ticket.district_code.clone())}
            {fact(Key::Priority, lookups.priority_name(ticket.id_priority))}
            {fact(Key::Department, lookups.department_name(ticket.id_process_unit))}
            {fact(Key::Assignee, ticket.assignee_name.clone().unwrap_or_else(|| t(Key::Unassigned).to_owned()))}
            {fact(Key::DueDate, ticket.date_due.map(crate::format::date_time).unwrap_or_default())}
            {fact(Key::Created, crate::format::date_time(ticket.created_at))}
            {fact(Key::Reading, reading.unwrap_or_default())}
            {fact(Key::ReadingSource, read_by.unwrap_or_default())}
            {fact(Key::IncidentType, ticket.incident_type.clone())}
            {fact(Key::Phenomena, ticket.id_phenomena.map(|id| id.to_string()).unwrap_or_default())}
            {fact(Key::Latitude, ticket.latitude.clone())}
            {fact(Key::Longitude, ticket.longitude.clone())}
            {fact(Key::CustomerType, customer_type)}
            {fact(Key::TaxCode, ticket.tax_code.clone())}
            {fact(Key::LegalRepresentative, ticket.legal_representative.clone())}
            {fact(Key::ContactPersonName, ticket.contact_person_name.clone())}
            {fact(Key::ContactPersonPhone, ticket.contact_person_phone.clone())}
            {fact(Key::ContactPersonEmail, ticket.contact_person_email.clone())}
            {fact(Key::ContactAddress, ticket.contact_address.clone())}
        </dl>
    }
}

struct ActionErrors {
    status: Option<AppError>,
    assign: Option<AppError>,
    priority: Option<AppError>,
    due: Option<AppError>,
    solution: Option<AppError>,
    note: Option<AppError>,
    reroute: Option<AppError>,
}

fn attachments_section(
    ticket_id: String,
    attachments: Vec<crate::store::tickets::Attachment>,
    may_upload: bool,
    refusal: Option<crate::attachments::UploadRefusal>,
) -> impl IntoView {
    let items = attachments
        .into_iter()
        .map(|attachment| {
            let href = format!("/attachments/{}", attachment.id);
            let size = format!("{} KB", (attachment.size_bytes + 1023) / 1024);
            let image = attachment.content_type.starts_with("image/");
            view! {
                <li class="attachment">
                    {image.then(|| view! { <a href=href.clone()><img src=href.clone() alt=attachment.file_name.clone() loading="lazy" /></a> })}
                    <a href=href.clone()>{attachment.file_name.clone()}</a>
                    " · " <span class="muted small">{size} " · " {crate::format::date_time(attachment.created_at)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="attachments-heading">
            <h2 id="attachments-heading">{t(Key::Attachments)}</h2>
            <ul class="attachments">{items}</ul>
            {refusal.map(|refusal| view! { <div class="banner banner-error" role="alert">{t(refusal.key())}</div> })}
            {may_upload.then(|| view! {
                <form method="post" enctype="multipart/form-data" action=format!("/tickets/{ticket_id}/attachments") class="inline-fields">
                    <div class="field">
                        <label for="field-file">{t(Key::ChooseFile)}</label>
                        <input id="field-file" type="file" name="file" required accept="image/jpeg,image/png,image/gif,image/webp,application/pdf" aria-describedby="field-file-help" />
                        <p class="field-help" id="field-file-help">{t(Key::UploadHelp)}</p>
                    </div>
                    <button type="submit" class="button">{t(Key::Upload)}</button>
                </form>
            })}
        </section>
    }
}

async fn ticket_content(id: String, errors: ActionErrors) -> Result<AnyView, AppError> {
    let user = require_user()?;
    let state = app_state()?;
    let id = parse_ticket_id(&id)?;
    let crate::tickets::TicketView {
        ticket,
        events,
        may_change,
        assignable_staff,
        members,
        attachments,
        outbox,
    } = crate::tickets::ticket_view(&state, &user, id).await?;
    let lookups = state.reference_names().await?.lookups.clone();
    let refusal =
        query_param("upload").and_then(|code| crate::attachments::UploadRefusal::parse(&code));
    let status = ticket.status();
    let overdue = ticket.is_overdue(chrono::Utc::now());
    let code = ticket
        .feedback_code
        .clone()
        .unwrap_or_else(|| ticket.id.to_string());
    let id_value = ticket.id.to_string();

    let timeline = events
        .iter()
        .map(|event| event_line(event, &lookups))
        .collect_view();
    let member_rows = (!members.is_empty()).then(|| {
        let rows = members
            .iter()
            .map(|member| {
                let masked = crate::domain::CitizenId::parse(&member.citizen_id)
                    .map(|id| id.masked())
                    .unwrap_or_default();
                let kind = if member.address_type == 2 { Key::Temporary } else { Key::Permanent };
                view! { <tr><td>{masked}</td><td>{member.name.clone()}</td><td>{member.address.clone()}</td><td>{t(kind)}</td></tr> }
            })
            .collect_view();
        view! {
            <section class="panel">
                <h2>{t(Key::Members)}</h2>
                <table class="table compact">
                    <thead><tr>
                        <th scope="col">{t(Key::MemberCitizenId)}</th><th scope="col">{t(Key::MemberName)}</th>
                        <th scope="col">{t(Key::MemberAddress)}</th><th scope="col">{t(Key::AddressType)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });

    // HQ staff route an unrouted ticket, or move a routed one to another branch,
    // with the reason.
    let reroute_id = id_value.clone();
    let current_branch = ticket.branch_code.as_ref().map(ToString::to_string);
    let branch_names = state.reference_names().await?.branches.clone();
    let open = ticket
        .status()
        .is_some_and(crate::domain::TicketStatus::is_open);
    let reroute_form = (may_change && user.branch.is_none() && open).then(move || {
        let title = if current_branch.is_some() { Key::Reroute } else { Key::RouteTicket };
        // No branch preselected: routing is a choice, never a default.
        let options: Vec<(String, String)> =
            std::iter::once((String::new(), format!("— {} —", t(Key::ChooseBranch))))
                .chain(
                    branch_names
                        .iter()
                        .filter(|(code, _)| current_branch.as_deref() != Some(code.as_str()))
                        .map(|(code, name)| (code.to_string(), format!("{code} — {name}"))),
                )
                .collect();
        let field_errors = errors.reroute.as_ref().and_then(AppError::form_errors).cloned();
        view! {
            <form action=RerouteTicket::PATH method="post" class="stack">
                <input type="hidden" name="id" value=reroute_id />
                <h3>{t(title)}</h3>
                <SelectField name="branch" label=Key::Branch options=options selected=String::new() errors=field_errors.clone() />
                <TextArea name="reason" label=Key::RerouteReason rows=2 errors=field_errors />
                <button type="submit" class="button">{t(title)}</button>
            </form>
        }
    });
    let actions = may_change.then(|| {
        let [id_1, id_2, id_3, id_4, id_5, id_6] = std::array::from_fn::<String, 6, _>(|_| id_value.clone());
        let next: Vec<(String, String)> = status
            .map(|status| status.next().iter().map(|next| (next.id().to_string(), t(next.key()).to_owned())).collect())
            .unwrap_or_default();
        let mut staff_options = vec![(String::new(), t(Key::Unassigned).to_owned())];
        staff_options.extend(assignable_staff.iter().map(|(id, name)| (id.to_string(), name.clone())));
        let field_errors = |error: &Option<AppError>| error.as_ref().and_then(AppError::form_errors).cloned();
        let banner = |error: &Option<AppError>| error.clone().filter(|error| error.form_errors().is_none());
        let department_options = Lookups::options(&lookups.departments, None);
        let priority_options = Lookups::options(&lookups.priorities, None);
        let solution_value = ticket.solution.clone();
        let due_value = ticket.date_due.map(|due| {
            due.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d/%m/%Y").to_string()
        });
        view! {
            <section class="panel stack" aria-labelledby="actions-heading">
                <h2 id="actions-heading">{t(Key::ChangeStatus)}</h2>
                <ErrorBanner error=banner(&errors.status) />
                {if next.is_empty() {
                    view! { <p class="muted">{t(Key::NoTransitions)}</p> }.into_any()
                } else {
                    view! {
                        <form action=ChangeTicketStatus::PATH method="post" class="inline-fields">
                            <input type="hidden" name="id" value=id_1 />
                            <SelectField name="id_status" label=Key::Status options=next.clone() errors=field_errors(&errors.status) />
                            <button type="submit" class="button button-primary">{t(Key::ChangeStatus)}</button>
                        </form>
                    }.into_any()
                }}
                <h2>{t(Key::Assign)}</h2>
                <ErrorBanner error=banner(&errors.assign) />
                <form action=AssignTicket::PATH method="post" class="inline-fields">
                    <input type="hidden" name="id" value=id_2 />
                    <SelectField name="id_process_unit" label=Key::Department options=department_options
                        selected=ticket.id_process_unit.map(|id| id.to_string()).unwrap_or_default() errors=field_errors(&errors.assign) />
                    <SelectField name="assignee" label=Key::Assignee options=staff_options
                        selected=ticket.assignee_user_id.map(|id| id.to_string()).unwrap_or_default() errors=field_errors(&errors.assign) />
                    <button type="submit" class="button">{t(Key::Assign)}</button>
                </form>
                <div class="grid-2">
                    <form action=SetTicketPriority::PATH method="post" class="inline-fields">
                        <input type="hidden" name="id" value=id_3 />
                        <SelectField name="id_priority" label=Key::Priority options=priority_options
                            selected=ticket.id_priority.to_string() errors=field_errors(&errors.priority) />
                        <button type="submit" class="button">{t(Key::Save)}</button>
                    </form>
                    <form action=SetTicketDue::PATH method="post" class="inline-fields">
                        <input type="hidden" name="id" value=id_4 />
                        <TextField name="date_due" label=Key::DueDate value=due_value.unwrap_or_default() errors=field_errors(&errors.due) />
                        <button type="submit" class="button">{t(Key::Save)}</button>
                    </form>
                </div>
                <form action=SetTicketSolution::PATH method="post" class="stack">
                    <input type="hidden" name="id" value=id_5 />
                    <TextArea name="solution" label=Key::Solution value=solution_value help=Key::SolutionHelp errors=field_errors(&errors.solution) />
                    <button type="submit" class="button">{t(Key::Save)}</button>
                </form>
                <form action=AddTicketNote::PATH method="post" class="stack">
                    <input type="hidden" name="id" value=id_6 />
                    <TextArea name="body" label=Key::InternalNote help=Key::InternalNoteHelp rows=3 errors=field_errors(&errors.note) />
                    <button type="submit" class="button">{t(Key::AddNote)}</button>
                </form>
                {reroute_form}
            </section>
        }
    });

    Ok(view! {
        <div class="page-head">
            <h1>{code} " " {status_badge(ticket.id_status)}
                {overdue.then(|| view! { " " <span class="badge badge-overdue">{t(Key::Overdue)}</span> })}
            </h1>
        </div>
        {(!may_change).then(|| view! { <p class="banner banner-warn">{t(Key::ReadOnlyTicket)}</p> })}
        <div class="grid-2 ticket-layout">
            <div class="stack">
                <section class="panel">
                    <h2>{t(Key::Details)}</h2>
                    {facts(&ticket, &lookups)}
                    {ticket.id_customer.map(|customer| view! {
                        <p><a href=format!("/customers/{customer}")>{t(Key::ViewCustomer)} " →"</a></p>
                    })}
                    <h3>{t(Key::Content)}</h3>
                    <p class="prewrap">{ticket.content.clone()}</p>
                    {(!ticket.solution.is_empty()).then(|| view! {
                        <h3>{t(Key::Solution)}</h3>
                        <p class="prewrap">{ticket.solution.clone()}</p>
                    })}
                </section>
                {member_rows}
                {attachments_section(ticket.id.to_string(), attachments, may_change, refusal)}
                {crate::pages::sync::ticket_sync_panel(outbox)}
                <section class="panel">
                    <h2>{t(Key::Timeline)}</h2>
                    <ol class="timeline">{timeline}</ol>
                </section>
            </div>
            <div>{actions}</div>
        </div>
    }
    .into_any())
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let errors = ActionErrors {
        status: submission_error::<ChangeTicketStatus>(),
        assign: submission_error::<AssignTicket>(),
        priority: submission_error::<SetTicketPriority>(),
        due: submission_error::<SetTicketDue>(),
        solution: submission_error::<SetTicketSolution>(),
        note: submission_error::<AddTicketNote>(),
        reroute: submission_error::<RerouteTicket>(),
    };
    let done = query_param("done").and_then(|done| match done.as_str() {
        "created" => Some(Key::TicketCreated),
        "saved" => Some(Key::TicketSaved),
        "uploaded" => Some(Key::Uploaded),
        _ => None,
    });
    let content =
        Suspend::new(async move { super::or_error_banner(ticket_content(id, errors).await) });
    view! {
        {page_title(Key::NavTickets)}
        <Layout current="/tickets">
            <p><a href="/tickets">"← " {t(Key::NavTickets)}</a></p>
            <Notice message=done />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
