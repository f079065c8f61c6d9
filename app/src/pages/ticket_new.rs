//! A call-center agent types a new ticket while the customer is on the phone:
//! pick the kind, look up the contract code, fill that kind's fields.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::{Permission, authorize};
use crate::components::{ErrorBanner, Layout, SelectField, TextArea, TextField, submission_error};
use crate::domain::ContractCode;
use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::forbidden::Forbidden;
use crate::pages::query_param;
use crate::pages::ticket_common::Lookups;
use crate::request::{app_state, identity, require_user};
use crate::tickets::{OTHER_TYPES, RequestKind, TicketForm};

/// How many household-member rows the quota form offers.
const MEMBER_ROWS: usize = 4;

/// Creates a ticket from the form and opens it.
#[server(endpoint = "tickets/create")]
pub async fn create_ticket(form: TicketForm) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = crate::tickets::create_from_form(&app_state()?.db, &actor, &form).await?;
    leptos_axum::redirect(&format!("/tickets/{id}?done=created"));
    Ok(())
}

/// A text input of the ticket form (posted as `form[name]`).
fn text(
    field: &'static str,
    label: Key,
    value: String,
    errors: &Option<FormErrors>,
) -> impl IntoView + use<> {
    view! { <TextField name=format!("form[{field}]") field=field label=label value=value errors=errors.clone() /> }
}

fn kind_fields(kind: RequestKind, errors: &Option<FormErrors>, lookups: &Lookups) -> AnyView {
    match kind {
        RequestKind::MeterReading => view! {
            <fieldset class="grid-3">
                <legend>{t(Key::KindMeterReading)}</legend>
                {text("number", Key::Reading, String::new(), errors)}
                {text("month", Key::Month, String::new(), errors)}
                {text("year", Key::Year, String::new(), errors)}
            </fieldset>
        }
        .into_any(),
        RequestKind::Incident => view! {
            <fieldset class="grid-2">
                <legend>{t(Key::KindIncident)}</legend>
                {text("incident_type", Key::IncidentType, String::new(), errors)}
                {text("id_phenomena", Key::Phenomena, String::new(), errors)}
                {text("latitude", Key::Latitude, String::new(), errors)}
                {text("longitude", Key::Longitude, String::new(), errors)}
            </fieldset>
        }
        .into_any(),
        RequestKind::NewConnection => {
            let types = vec![
                ("1".to_owned(), t(Key::Household).to_owned()),
                ("2".to_owned(), t(Key::Business).to_owned()),
            ];
            view! {
                <fieldset class="grid-2">
                    <legend>{t(Key::KindNewConnection)}</legend>
                    <SelectField name="form[customer_type]" field="customer_type" label=Key::CustomerType options=types errors=errors.clone() />
                    {text("tax_code", Key::TaxCode, String::new(), errors)}
                    {text("legal_representative", Key::LegalRepresentative, String::new(), errors)}
                    {text("contact_person_name", Key::ContactPersonName, String::new(), errors)}
                    {text("contact_person_phone", Key::ContactPersonPhone, String::new(), errors)}
                    {text("contact_person_email", Key::ContactPersonEmail, String::new(), errors)}
                    {text("contact_address", Key::ContactAddress, String::new(), errors)}
                </fieldset>
            }
            .into_any()
        }
        RequestKind::Quota => {
            let rows = (0..MEMBER_ROWS)
                .map(|index| {
                    let address_types = vec![
                        ("1".to_owned(), t(Key::Permanent).to_owned()),
                        ("2".to_owned(), t(Key::Temporary).to_owned()),
                    ];
                    view! {
                        <div class="member-row grid-4">
                            <TextField name=format!("form[members][{index}][code]") field=format!("members.{index}.code") label=Key::MemberCitizenId errors=errors.clone() />
                            <TextField name=format!("form[members][{index}][name]") field=format!("members.{index}.name") label=Key::MemberName errors=errors.clone() />
                            <TextField name=format!("form[members][{index}][address]") field=format!("members.{index}.address") label=Key::MemberAddress errors=errors.clone() />
                            <SelectField name=format!("form[members][{index}][address_type]") field=format!("members.{index}.address_type") label=Key::AddressType options=address_types errors=errors.clone() />
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset>
                    <legend>{t(Key::Members)}</legend>
                    {rows}
                </fieldset>
            }
            .into_any()
        }
        RequestKind::Other => {
            let options: Vec<(String, String)> = lookups
                .types
                .iter()
                .filter(|entry| OTHER_TYPES.contains(&entry.id))
                .map(|entry| {
                    (
                        entry.id.to_string(),
                        format!("{} · {}", entry.id, entry.name(crate::i18n::use_language())),
                    )
                })
                .collect();
            view! {
                <SelectField name="form[id_type]" field="id_type" label=Key::RequestType options=options errors=errors.clone() />
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

async fn new_ticket_content(
    kind: RequestKind,
    contract: String,
    error: Option<AppError>,
) -> Result<AnyView, AppError> {
    let user = require_user()?;
    let state = app_state()?;
    let lookups = state.reference_names().await?.lookups.clone();
    let branches = &state.reference_names().await?.branches;
    let errors = error.as_ref().and_then(AppError::form_errors).cloned();
    let banner = error.filter(|error| error.form_errors().is_none());

    // The lookup: a GET that reloads the form with the contract's customer.
    let lookup = match ContractCode::parse(&contract) {
        Ok(code) => Some(state.db.contract_with_customer(&code).await?),
        Err(_) => None,
    };
    let (name, phone, email, address, ward, district) = lookup
        .clone()
        .flatten()
        .map(|found| {
            (
                found.customer_name.unwrap_or_default(),
                found
                    .customer_phone
                    .map(|phone| phone.display())
                    .unwrap_or_default(),
                found.customer_email.unwrap_or_default(),
                found.address,
                found.ward_code,
                found.district_code,
            )
        })
        .unwrap_or_default();
    let found_box = match &lookup {
        Some(Some(found)) => view! {
            <div class="banner banner-ok" role="status" data-testid="contract-found">
                <strong>{t(Key::CustomerFound)} " " {found.code.display()} ": "</strong>
                {found.customer_name.clone().unwrap_or_default()} " · " {found.branch_code.to_string()} " · " {found.address.clone()}
            </div>
        }
        .into_any(),
        Some(None) => view! { <div class="banner banner-warn" role="status">{t(Key::ContractNotFound)}</div> }.into_any(),
        None => ().into_any(),
    };

    let kind_links = RequestKind::ALL
        .into_iter()
        .map(|option| {
            let current = option == kind;
            view! {
                <li><a href=format!("/tickets/new?kind={}", option.code()) aria-current=current.then_some("page")>{t(option.key())}</a></li>
            }
        })
        .collect_view();
    // Empty: the branch is not known yet, and the ticket waits in HQ's unrouted queue.
    let branch_options: Vec<(String, String)> =
        std::iter::once((String::new(), format!("— {} —", t(Key::Unrouted))))
            .chain(
                branches
                    .iter()
                    .map(|(code, name)| (code.to_string(), format!("{code} — {name}"))),
            )
            .collect();
    let is_hq = user.branch.is_none();

    Ok(view! {
        <h1>{t(Key::NewTicket)}</h1>
        <nav aria-label=t(Key::ChooseKind)><ul class="tabs">{kind_links}</ul></nav>
        <ErrorBanner error=banner />
        {errors.is_some().then(|| view! { <div class="banner banner-error" role="alert">{t(Key::ErrValidation)}</div> })}
        <section class="panel">
            <form method="get" action="/tickets/new" class="filters" role="search">
                <input type="hidden" name="kind" value=kind.code() />
                <TextField name="contract" label=Key::ContractCodeLabel value=contract.clone() id_prefix="lookup" />
                <button type="submit" class="button">{t(Key::LookUp)}</button>
            </form>
            {found_box}
        </section>
        <form action=CreateTicket::PATH method="post" class="panel stack ticket-form">
            <input type="hidden" name="form[kind]" value=kind.code() />
            <fieldset class="grid-2">
                <legend>{t(Key::Customer)}</legend>
                {text("contact_code", Key::ContractCodeLabel, contract, &errors)}
                {text("customer_name", Key::CustomerName, name, &errors)}
                {text("customer_phone", Key::Phone, phone, &errors)}
                {text("email", Key::Email, email, &errors)}
                {text("customer_address", Key::Address, address, &errors)}
                {text("ward_code", Key::WardCode, ward, &errors)}
                {text("district_code", Key::DistrictCode, district, &errors)}
                {is_hq.then(|| view! {
                    <SelectField name="form[branch]" field="branch" label=Key::Branch options=branch_options.clone() errors=errors.clone() help=Key::UnroutedHelp />
                })}
            </fieldset>
            {kind_fields(kind, &errors, &lookups)}
            <TextArea name="form[content]" field="content" label=Key::Content errors=errors.clone() rows=5 />
            <fieldset class="grid-3">
                <SelectField name="form[id_priority]" field="id_priority" label=Key::Priority options=Lookups::options(&lookups.priorities, None) selected="2".to_owned() errors=errors.clone() />
                <SelectField name="form[id_process_unit]" field="id_process_unit" label=Key::Department options=Lookups::options(&lookups.departments, None) selected="97".to_owned() errors=errors.clone() />
                <TextField name="form[date_due]" field="date_due" label=Key::DueDate help=Key::DueDateHelp errors=errors.clone() />
            </fieldset>
            <button type="submit" class="button button-primary">{t(Key::NewTicket)}</button>
        </form>
    }
    .into_any())
}

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let Some(user) = identity().user else {
        return ().into_any();
    };
    if authorize(&user, Permission::WorkTickets, user.branch.as_ref()).is_err() {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current="/tickets"><Forbidden /></Layout>
        }
        .into_any();
    }
    let error = submission_error::<CreateTicket>();
    // After a refused post, the kind comes back with the kept values.
    let kind = error
        .as_ref()
        .and_then(AppError::form_errors)
        .and_then(|errors| errors.value("kind").map(ToOwned::to_owned))
        .or_else(|| query_param("kind"))
        .and_then(|code| RequestKind::parse(&code))
        .unwrap_or(RequestKind::Incident);
    let contract = error
        .as_ref()
        .and_then(AppError::form_errors)
        .and_then(|errors| errors.value("contact_code").map(ToOwned::to_owned))
        .or_else(|| query_param("contract"))
        .unwrap_or_default();
    let content = Suspend::new(async move {
        super::or_error_banner(new_ticket_content(kind, contract, error).await)
    });
    view! {
        {page_title(Key::NewTicket)}
        <Layout current="/tickets">
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}
