//! A customer: their contract codes (possibly at several branches) and their tickets.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::auth::Scope;
use crate::components::Layout;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::ticket_common::status_badge;
use crate::request::{app_state, require_user};
use crate::store::tickets::{TicketFilter, TicketOrder};

async fn customer_content(id: String) -> Result<AnyView, AppError> {
    let user = require_user()?;
    let state = app_state()?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let customer = state.db.customer(id).await?;
    let scope = Scope::of(&user);
    let contracts: Vec<_> = state
        .db
        .customer_contracts(id)
        .await?
        .into_iter()
        .filter(|contract| scope.covers(Some(&contract.branch_code)))
        .collect();
    // A branch user sees a customer only through a contract code of their branch.
    if scope.branch().is_some() && contracts.is_empty() {
        return Err(AppError::NotFound);
    }
    let filter = TicketFilter {
        scope: scope.branch().cloned(),
        customer: Some(id),
        ..TicketFilter::default()
    };
    let tickets = state
        .db
        .list_tickets(&filter, TicketOrder::NewestFirst, None, 100)
        .await?;
    let lookups = state.reference_names().await?.lookups.clone();

    let contract_rows = contracts
        .iter()
        .map(|contract| {
            let kind = if contract.customer_type == 2 {
                Key::Business
            } else {
                Key::Household
            };
            view! {
                <tr>
                    <td class="nowrap">{contract.code.display()}</td>
                    <td>{contract.branch_code.to_string()}</td>
                    <td>{contract.address.clone()}</td>
                    <td>{contract.ward_code.clone()}</td>
                    <td>{t(kind)}</td>
                    <td class="num">{contract.registered_persons}</td>
                </tr>
            }
        })
        .collect_view();
    let ticket_rows = tickets
        .iter()
        .map(|ticket| {
            view! {
                <tr>
                    <td><a href=format!("/tickets/{}", ticket.id)>{ticket.feedback_code.clone().unwrap_or_default()}</a></td>
                    <td>{crate::format::date_time(ticket.created_at)}</td>
                    <td>{lookups.type_name(ticket.id_type)}</td>
                    <td class="nowrap">{ticket.contact_code.as_ref().map(|c| c.display()).unwrap_or_default()}</td>
                    <td>{status_badge(ticket.id_status)}</td>
                </tr>
            }
        })
        .collect_view();
    Ok(view! {
        <h1>{customer.name.clone()}</h1>
        <section class="panel">
            <dl class="facts">
                <dt>{t(Key::Phone)}</dt><dd>{customer.phone.display()}</dd>
                {(!customer.email.is_empty()).then(|| view! { <dt>{t(Key::Email)}</dt><dd>{customer.email.clone()}</dd> })}
            </dl>
        </section>
        <section class="panel">
            <h2>{t(Key::ContractCodes)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="contracts-table">
                    <thead><tr>
                        <th scope="col">{t(Key::ContractCodeLabel)}</th><th scope="col">{t(Key::Branch)}</th>
                        <th scope="col">{t(Key::Address)}</th><th scope="col">{t(Key::WardCode)}</th>
                        <th scope="col">{t(Key::CustomerType)}</th><th scope="col" class="num">{t(Key::RegisteredPersons)}</th>
                    </tr></thead>
                    <tbody>{contract_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="panel">
            <h2>{t(Key::NavTickets)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="customer-tickets">
                    <thead><tr>
                        <th scope="col">{t(Key::TicketCode)}</th><th scope="col">{t(Key::Created)}</th>
                        <th scope="col">{t(Key::RequestType)}</th><th scope="col">{t(Key::ContractCodeLabel)}</th>
                        <th scope="col">{t(Key::Status)}</th>
                    </tr></thead>
                    <tbody>{ticket_rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any())
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let content = Suspend::new(async move { super::or_error_banner(customer_content(id).await) });
    view! {
        {page_title(Key::Customer)}
        <Layout current="/tickets">
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
