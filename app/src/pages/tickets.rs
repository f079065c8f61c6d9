//! The ticket list: filters, status tabs with counts, accent-insensitive search,
//! keyset pagination that stays fast on deep pages.

use chrono::Utc;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::{Permission, authorize};
use crate::components::{Layout, SelectField, TextField, submission_error};
use crate::domain::{Role, TicketId, TicketSource, TicketStatus};
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::query_param;
use crate::pages::ticket_common::{Lookups, status_badge, status_options};
use crate::request::app_state;
use crate::store::tickets::FirstPage;
use crate::store::tickets::TicketOrder;
use crate::tickets::TicketListQuery;

/// Applies one change to every selected ticket; each is checked on its own and the
/// page reports the ones refused, with the reason.
#[server(endpoint = "tickets/bulk")]
pub async fn bulk_tickets(
    #[server(default)] ids: Vec<String>,
    change: String,
    back: String,
) -> Result<(), AppError> {
    let actor = crate::request::require_user()?;
    let (action, value) = change.split_once(':').unwrap_or(("", ""));
    let report = crate::tickets::bulk_apply(&app_state()?.db, &actor, &ids, action, value).await?;
    let shown: Vec<(String, Key)> = report.refused.iter().take(50).cloned().collect();
    let refused = serde_json::to_string(&shown).unwrap_or_default();
    let back = crate::request::safe_next(&back);
    let separator = if back.contains('?') { '&' } else { '?' };
    leptos_axum::redirect(&format!(
        "{back}{separator}bulk_done={}&bulk_refused={}&refused={}",
        report.changed,
        report.refused.len(),
        encode(&refused)
    ));
    Ok(())
}

/// The report of the last bulk action, read back from the URL.
fn bulk_report() -> Option<(String, Vec<(String, Key)>)> {
    let done = query_param("bulk_done")?;
    let refused_count = query_param("bulk_refused").unwrap_or_default();
    let refused: Vec<(String, Key)> = query_param("refused")
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    Some((
        format!(
            "{}: {done} · {}: {refused_count}",
            t(Key::BulkDone),
            t(Key::BulkRefused)
        ),
        refused,
    ))
}

/// Tab counts stop at this many per status (shown as "1000+"). A word search
/// counts fewer, its newest 50 matches (see `store::tickets`): the tabs of a
/// search are a guide, the rows are what the agent reads.
pub const COUNT_CAP: i64 = 1000;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// Reads the list's query from the page URL.
fn read_query() -> TicketListQuery {
    TicketListQuery::from_params(query_param)
}

trait ListUrl {
    fn url(&self, status: &str, after: Option<TicketId>) -> String;
}

impl ListUrl for TicketListQuery {
    /// This query as a URL, with `status` and the cursor replaced.
    fn url(&self, status: &str, after: Option<TicketId>) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("branch", self.branch.clone()),
            ("status", status.to_owned()),
            ("id_type", self.id_type.clone()),
            ("priority", self.priority.clone()),
            ("department", self.department.clone()),
            ("source", self.source.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ];
        if self.overdue {
            pairs.push(("overdue", "1".into()));
        }
        if self.mine {
            pairs.push(("mine", "1".into()));
        }
        if let Some(after) = after {
            pairs.push(("after", after.to_string()));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode(&value)))
            .collect();
        if query.is_empty() {
            "/tickets".to_owned()
        } else {
            format!("/tickets?{}", query.join("&"))
        }
    }
}

fn parse_cursor(value: &str) -> Option<TicketId> {
    value.trim().parse().ok().map(TicketId)
}

/// The same filters as an export link (`extension`: csv or xlsx).
fn export_url(query: &TicketListQuery, extension: &str) -> String {
    query
        .url(&query.status, None)
        .replacen("/tickets", &format!("/tickets/export.{extension}"), 1)
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn list_content(query: TicketListQuery) -> Result<AnyView, AppError> {
    let user = crate::request::require_user()?;
    authorize(&user, Permission::Read, user.branch.as_ref())?;
    let state = app_state()?;
    let lookups = state.reference_names().await?.lookups.clone();
    let branches = &state.reference_names().await?.branches;
    let now = Utc::now();
    let filter = query.to_filter(&user, now);
    let cursor = query.after.trim().parse().ok().map(TicketId);
    let rows = state
        .db
        .list_tickets(&filter, TicketOrder::NewestFirst, cursor, PAGE_SIZE + 1)
        .await?;
    let (counts, bound) = state
        .db
        .count_tickets_by_status_capped(
            &filter,
            COUNT_CAP,
            cursor.is_none().then_some(FirstPage {
                rows: &rows,
                limit: PAGE_SIZE + 1,
            }),
        )
        .await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let rows: Vec<_> = rows.into_iter().take(PAGE_SIZE as usize).collect();
    let next = has_more.then(|| rows.last().map(|row| row.id)).flatten();
    let total: i64 = counts.iter().map(|(_, count)| count).sum();
    let capped = counts.iter().any(|(_, count)| bound.is_lower_bound(*count));
    let shown = |count: i64, capped: bool| {
        let count = crate::format::count(count);
        if capped { format!("{count}+") } else { count }
    };

    let mut tabs = vec![(
        String::new(),
        t(Key::AllStatuses).to_owned(),
        shown(total, capped),
    )];
    tabs.extend(TicketStatus::ALL.iter().map(|status| {
        let count = counts
            .iter()
            .find(|(id, _)| *id == status.id())
            .map_or(0, |(_, count)| *count);
        (
            status.id().to_string(),
            t(status.key()).to_owned(),
            shown(count, bound.is_lower_bound(count)),
        )
    }));
    let tab_links = tabs
        .into_iter()
        .map(|(status, label, count)| {
            let current = status == query.status;
            let href = query.url(&status, None);
            view! {
                <li>
                    <a href=href aria-current=current.then_some("page")>
                        {label} {(!count.is_empty()).then(|| view! { " " <span class="count">{count.clone()}</span> })}
                    </a>
                </li>
            }
        })
        .collect_view();

    let table_rows = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let overdue = row.date_due.is_some_and(|due| due < now)
                && TicketStatus::from_id(row.id_status).is_some_and(TicketStatus::is_open);
            let code = row.feedback_code.clone().unwrap_or_else(|| row.id.to_string());
            let phone = row.customer_phone.as_ref().map(|p| p.display()).unwrap_or_default();
            let contract = row.contact_code.as_ref().map(|c| c.display()).unwrap_or_default();
            let due = row.date_due.map(crate::format::date_time).unwrap_or_default();
            let checkbox_label = format!("{} {code}", t(Key::Select));
            view! {
                <tr>
                    <td class="select">
                        <input type="checkbox" name=format!("ids[{index}]") value=row.id.to_string() aria-label=checkbox_label form="bulk-form" />
                    </td>
                    <td><a href=format!("/tickets/{}", row.id)>{code}</a></td>
                    <td>{crate::format::date_time(row.created_at)}</td>
                    <td>{lookups.type_name(row.id_type)}</td>
                    <td>
                        <div>{row.customer_name.clone()}</div>
                        <div class="muted small">{phone}</div>
                    </td>
                    <td class="nowrap">{contract}</td>
                    <td class="branch">{crate::format::branch_or_unrouted(row.branch_code.as_ref())}</td>
                    <td>{status_badge(row.id_status)}</td>
                    <td>{lookups.priority_name(row.id_priority)}</td>
                    <td>{lookups.department_name(row.id_process_unit)}</td>
                    <td>{row.assignee_name.clone().unwrap_or_default()}</td>
                    <td class="nowrap">
                        {due}
                        {overdue.then(|| view! { " " <span class="badge badge-overdue">{t(Key::Overdue)}</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = rows.is_empty();

    let is_hq = user.branch.is_none();
    let mut branch_options = vec![
        (String::new(), t(Key::AllBranches).to_owned()),
        (
            crate::tickets::UNROUTED_FILTER.to_owned(),
            t(Key::UnroutedQueue).to_owned(),
        ),
    ];
    branch_options.extend(
        branches
            .iter()
            .map(|(code, name)| (code.to_string(), format!("{code} — {name}"))),
    );
    let mut source_options = vec![(String::new(), t(Key::AnyValue).to_owned())];
    source_options.extend(
        TicketSource::ALL
            .iter()
            .map(|s| (s.code().to_owned(), t(s.key()).to_owned())),
    );
    let may_create = authorize(&user, Permission::WorkTickets, user.branch.as_ref()).is_ok()
        && !matches!(user.role, Role::Executive | Role::CampaignManager);
    let first_page = query.url(&query.status, None);
    let next_page = next.map(|id| query.url(&query.status, Some(id)));
    let on_deep_page = !query.after.is_empty();
    let current_url = query.url(&query.status, parse_cursor(&query.after));
    let bulk_error = submission_error::<BulkTickets>();
    let bulk_message = match (bulk_error, bulk_report()) {
        (Some(error), _) => {
            let key = error
                .form_errors()
                .and_then(|e| e.fields.first())
                .map_or_else(|| error.message_key(), |f| f.message);
            Some(view! { <div class="banner banner-error" role="alert">{t(key)}</div> }.into_any())
        }
        (None, Some((summary, refused))) => {
            let items = refused
                .into_iter()
                .map(|(code, reason)| view! { <li><strong>{code}</strong> ": " {t(reason)}</li> })
                .collect_view();
            Some(view! { <div class="banner banner-ok" role="status" data-testid="bulk-report"><p>{summary}</p><ul>{items}</ul></div> }.into_any())
        }
        (None, None) => None,
    };
    let change_options = {
        let status_group = TicketStatus::ALL
            .iter()
            .map(|status| view! { <option value=format!("status:{}", status.id())>{t(Key::SetStatus)} ": " {t(status.key())}</option> })
            .collect_view();
        let priority_group = lookups
            .priorities
            .iter()
            .map(|entry| view! { <option value=format!("priority:{}", entry.id)>{t(Key::SetPriority)} ": " {entry.name(crate::i18n::use_language()).to_owned()}</option> })
            .collect_view();
        let department_group = lookups
            .departments
            .iter()
            .map(|entry| view! { <option value=format!("department:{}", entry.id)>{t(Key::SetDepartment)} ": " {entry.name(crate::i18n::use_language()).to_owned()}</option> })
            .collect_view();
        view! {
            <optgroup label=t(Key::SetStatus)>{status_group}</optgroup>
            <optgroup label=t(Key::SetPriority)>{priority_group}</optgroup>
            <optgroup label=t(Key::SetDepartment)>{department_group}</optgroup>
        }
    };

    Ok(view! {
        <div class="page-head">
            <h1>{t(Key::NavTickets)}</h1>
            <div class="page-actions">
                <a class="button" href=export_url(&query, "csv") download="">{t(Key::ExportCsv)}</a>
                <a class="button" href=export_url(&query, "xlsx") download="">{t(Key::ExportXlsx)}</a>
                {may_create.then(|| view! { <a class="button button-primary" href="/tickets/new">{t(Key::NewTicket)}</a> })}
            </div>
        </div>
        <form method="get" action="/tickets" class="panel filters" role="search">
            <div class="filters-search">
                <TextField name="q" label=Key::Search value=query.q.clone() help=Key::SearchHelp id_prefix="filter" />
            </div>
            {is_hq.then(|| view! { <SelectField name="branch" label=Key::Branch options=branch_options.clone() selected=query.branch.clone() id_prefix="filter" /> })}
            <SelectField name="status" label=Key::Status options=status_options(Some(t(Key::AnyValue))) selected=query.status.clone() id_prefix="filter" />
            <SelectField name="id_type" label=Key::RequestType options=Lookups::options(&lookups.types, Some(t(Key::AnyValue))) selected=query.id_type.clone() id_prefix="filter" />
            <SelectField name="priority" label=Key::Priority options=Lookups::options(&lookups.priorities, Some(t(Key::AnyValue))) selected=query.priority.clone() id_prefix="filter" />
            <SelectField name="department" label=Key::Department options=Lookups::options(&lookups.departments, Some(t(Key::AnyValue))) selected=query.department.clone() id_prefix="filter" />
            <SelectField name="source" label=Key::Source options=source_options selected=query.source.clone() id_prefix="filter" />
            <TextField name="from" label=Key::CreatedFrom value=query.from.clone() id_prefix="filter" />
            <TextField name="to" label=Key::CreatedTo value=query.to.clone() id_prefix="filter" />
            <div class="field checks">
                <label><input type="checkbox" name="overdue" value="1" checked=query.overdue /> " " {t(Key::OverdueOnly)}</label>
                <label><input type="checkbox" name="mine" value="1" checked=query.mine /> " " {t(Key::MineOnly)}</label>
            </div>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <nav aria-label=t(Key::Status)>
            <ul class="tabs">{tab_links}</ul>
        </nav>
        {bulk_message}
        {(may_create && !empty).then(|| view! {
            <form action=BulkTickets::PATH method="post" id="bulk-form" class="panel inline-fields bulk">
                <input type="hidden" name="back" value=current_url.clone() />
                <div class="field">
                    <label for="field-change">{t(Key::BulkActions)}</label>
                    <select id="field-change" name="change">{change_options}</select>
                </div>
                <button type="submit" class="button">{t(Key::BulkApply)}</button>
            </form>
        })}
        <section class="panel">
            {if empty {
                view! { <p class="empty">{t(Key::NoTickets)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="tickets-table">
                            <thead>
                                <tr>
                                    <th scope="col"><span class="visually-hidden">{t(Key::Select)}</span></th>
                                    <th scope="col">{t(Key::TicketCode)}</th>
                                    <th scope="col">{t(Key::Created)}</th>
                                    <th scope="col">{t(Key::RequestType)}</th>
                                    <th scope="col">{t(Key::Customer)}</th>
                                    <th scope="col">{t(Key::ContractCodeLabel)}</th>
                                    <th scope="col">{t(Key::Branch)}</th>
                                    <th scope="col">{t(Key::Status)}</th>
                                    <th scope="col">{t(Key::Priority)}</th>
                                    <th scope="col">{t(Key::Department)}</th>
                                    <th scope="col">{t(Key::Assignee)}</th>
                                    <th scope="col">{t(Key::DueDate)}</th>
                                </tr>
                            </thead>
                            <tbody>{table_rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <nav class="pager" aria-label=t(Key::NextPage)>
                {on_deep_page.then(|| view! { <a class="button" href=first_page>{t(Key::FirstPage)}</a> })}
                {next_page.map(|href| view! { <a class="button" href=href rel="next">{t(Key::NextPage)} " →"</a> })}
            </nav>
        </section>
    }
    .into_any())
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let query = read_query();
    let content = Suspend::new(async move { super::or_error_banner(list_content(query).await) });
    view! {
        {page_title(Key::NavTickets)}
        <Layout current="/tickets">
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
