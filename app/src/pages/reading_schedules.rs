//! A branch's meter-reading schedule: the windows of days on which customers may
//! report their reading. HQ users choose the branch (`?branch=GD`); branch accounts
//! see their own. Branch admins manage their branch's windows, HQ admins every branch's.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::{CurrentUser, Permission, authorize};
use crate::components::{ErrorBanner, Layout, Notice, SelectField, TextField, submission_error};
use crate::domain::{BranchCode, ReadingWindowId};
use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::{or_error_banner, query_param};
use crate::reading_schedules::{WindowInput, vietnam_day};
use crate::request::{app_state, identity, require_user};
use crate::store::reading_schedules::ReadingWindow;
use crate::store::reference::Branch;

/// How far back the page lists windows that are over.
const RECENT_DAYS: i64 = 92;

const PAGE: &str = "/admin/reading-schedules";

fn parse_id(id: &str) -> Result<ReadingWindowId, AppError> {
    crate::request::id_param(id).map(ReadingWindowId)
}

fn page_url(branch: &BranchCode, done: &str) -> String {
    format!("{PAGE}?branch={branch}&done={done}")
}

/// Adds a window to a branch's schedule.
#[server(endpoint = "reading-schedules/create")]
pub async fn create_reading_window(
    branch: String,
    period_year: String,
    period_month: String,
    start_date: String,
    end_date: String,
    note: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    // A hidden field of the form: a code that does not parse was not typed by anyone.
    let branch = BranchCode::parse(&branch).map_err(|_| AppError::BadRequest)?;
    let input = WindowInput {
        period_year,
        period_month,
        start_date,
        end_date,
        note,
    };
    crate::reading_schedules::create_window(&app_state()?.db, &actor, &branch, &input).await?;
    leptos_axum::redirect(&page_url(&branch, "created"));
    Ok(())
}

/// Changes a window's period, days and note.
#[server(endpoint = "reading-schedules/update")]
pub async fn update_reading_window(
    id: String,
    period_year: String,
    period_month: String,
    start_date: String,
    end_date: String,
    note: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    let input = WindowInput {
        period_year,
        period_month,
        start_date,
        end_date,
        note,
    };
    let branch =
        crate::reading_schedules::update_window(&app_state()?.db, &actor, id, &input).await?;
    leptos_axum::redirect(&page_url(&branch, "saved"));
    Ok(())
}

/// Removes a window from its branch's schedule.
#[server(endpoint = "reading-schedules/delete")]
pub async fn delete_reading_window(id: String) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    let branch = crate::reading_schedules::delete_window(&app_state()?.db, &actor, id).await?;
    leptos_axum::redirect(&page_url(&branch, "deleted"));
    Ok(())
}

/// The branch whose schedule is shown: a branch account's own, else the one asked for
/// (the first branch when none is).
fn shown_branch(
    user: &CurrentUser,
    asked: Option<&str>,
    branches: &[Branch],
) -> Result<BranchCode, AppError> {
    if let Some(own) = &user.branch {
        return Ok(own.clone());
    }
    match asked.map(str::trim).filter(|asked| !asked.is_empty()) {
        Some(code) => BranchCode::parse(code).map_err(|_| AppError::NotFound),
        None => branches
            .first()
            .map(|branch| branch.code.clone())
            .ok_or(AppError::NotFound),
    }
}

fn window_state(window: &ReadingWindow, today: NaiveDate) -> (Key, bool) {
    if window.contains(today) {
        (Key::WindowOpenNow, false)
    } else if window.start_date > today {
        (Key::WindowUpcoming, false)
    } else {
        (Key::WindowPast, true)
    }
}

/// The table of windows; with `manage`, each row has its edit link and delete button.
fn windows_table(
    windows: &[ReadingWindow],
    branch: &BranchCode,
    today: NaiveDate,
    manage: bool,
) -> AnyView {
    if windows.is_empty() {
        return view! { <p class="empty">{t(Key::NoReadingWindows)}</p> }.into_any();
    }
    let rows = windows
        .iter()
        .map(|window| {
            let (state, past) = window_state(window, today);
            let id = window.id.to_string();
            let (start, end) = (crate::format::date(window.start_date), crate::format::date(window.end_date));
            let actions = manage.then(|| {
                let edit = format!("{PAGE}?branch={branch}&edit={id}");
                // Every row has the same two words; the label says which window they act on.
                let days = format!("{start} – {end}");
                view! {
                    <td class="nowrap">
                        <a href=edit aria-label=format!("{} {days}", t(Key::Edit))>{t(Key::Edit)}</a>
                        " "
                        <form action=DeleteReadingWindow::PATH method="post" class="inline-form">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="button button-danger" aria-label=format!("{} {days}", t(Key::Delete))>
                                {t(Key::Delete)}
                            </button>
                        </form>
                    </td>
                }
            });
            view! {
                <tr class:row-muted=past>
                    <td>{window.period.to_string()}</td>
                    <td>{start}</td>
                    <td>{end}</td>
                    <td class="num">{window.days()}</td>
                    <td><span class="badge" class:badge-off=past>{t(state)}</span></td>
                    <td>{window.note.clone()}</td>
                    {actions}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="reading-windows">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::BillingPeriod)}</th>
                        <th scope="col">{t(Key::WindowStart)}</th>
                        <th scope="col">{t(Key::WindowEnd)}</th>
                        <th scope="col" class="num">{t(Key::WindowDays)}</th>
                        <th scope="col">{t(Key::Status)}</th>
                        <th scope="col">{t(Key::Note)}</th>
                        {manage.then(|| view! { <th scope="col">{t(Key::Actions)}</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The fields of the add and edit forms, filled with `values` unless a refused post
/// left what was typed in `errors`.
fn window_fields(
    values: WindowInput,
    errors: Option<FormErrors>,
    id_prefix: &'static str,
) -> impl IntoView {
    view! {
        <div class="inline-fields">
            <TextField name="period_month" label=Key::PeriodMonth input_type="number" value=values.period_month
                required=true errors=errors.clone() id_prefix=id_prefix />
            <TextField name="period_year" label=Key::PeriodYear input_type="number" value=values.period_year
                required=true errors=errors.clone() id_prefix=id_prefix />
        </div>
        <div class="inline-fields">
            <TextField name="start_date" label=Key::WindowStart value=values.start_date help=Key::DayFormatHelp
                required=true errors=errors.clone() id_prefix=id_prefix />
            <TextField name="end_date" label=Key::WindowEnd value=values.end_date help=Key::DayFormatHelp
                required=true errors=errors.clone() id_prefix=id_prefix />
        </div>
        <TextField name="note" label=Key::Note value=values.note errors=errors id_prefix=id_prefix />
    }
}

/// Everything the page's forms carried back from a refused post.
struct Refused {
    create: Option<FormErrors>,
    update: Option<FormErrors>,
}

async fn schedule_content(
    user: CurrentUser,
    asked_branch: Option<String>,
    editing: Option<String>,
    refused: Refused,
) -> Result<AnyView, AppError> {
    let db = app_state()?.db.clone();
    let branches = db.list_branches().await?;
    let branch = shown_branch(&user, asked_branch.as_deref(), &branches)?;
    let today = vietnam_day(Utc::now());
    let windows = crate::reading_schedules::list_windows(
        &db,
        &user,
        &branch,
        today - Duration::days(RECENT_DAYS),
    )
    .await?;
    let may_manage = authorize(&user, Permission::ManageBranchSettings, Some(&branch)).is_ok();
    let editing = editing
        .filter(|_| may_manage)
        .and_then(|id| parse_id(&id).ok())
        .and_then(|id| windows.iter().find(|window| window.id == id).cloned());

    let chooser = user.branch.is_none().then(|| {
        let options = branches
            .iter()
            .map(|b| (b.code.to_string(), format!("{} — {}", b.code, b.name)))
            .collect();
        view! {
            <form method="get" action=PAGE class="filters">
                <SelectField name="branch" label=Key::Branch options=options selected=branch.to_string() id_prefix="filter" />
                <button type="submit" class="button">{t(Key::Show)}</button>
            </form>
        }
    });
    let branch_name = branches.iter().find(|b| b.code == branch).map_or_else(
        || branch.to_string(),
        |b| format!("{} — {}", b.code, b.name),
    );
    let table = windows_table(&windows, &branch, today, may_manage);

    let form = match (may_manage, editing) {
        (false, _) => None,
        (true, Some(window)) => {
            let values = WindowInput {
                period_year: window.period.year().to_string(),
                period_month: window.period.month().to_string(),
                start_date: crate::format::date(window.start_date),
                end_date: crate::format::date(window.end_date),
                note: window.note.clone(),
            };
            let cancel = format!("{PAGE}?branch={branch}");
            Some(view! {
                <section class="panel narrow" aria-labelledby="edit-heading">
                    <h2 id="edit-heading">{t(Key::EditReadingWindow)} " " {window.period.to_string()}</h2>
                    <form action=UpdateReadingWindow::PATH method="post" class="stack">
                        <input type="hidden" name="id" value=window.id.to_string() />
                        {window_fields(values, refused.update, "edit")}
                        <div>
                            <button type="submit" class="button button-primary">{t(Key::Save)}</button>
                            " "
                            <a href=cancel>{t(Key::Cancel)}</a>
                        </div>
                    </form>
                </section>
            }
            .into_any())
        }
        (true, None) => {
            let values = WindowInput {
                period_year: today.year().to_string(),
                period_month: today.month().to_string(),
                ..WindowInput::default()
            };
            Some(view! {
                <section class="panel narrow" aria-labelledby="new-heading">
                    <h2 id="new-heading">{t(Key::NewReadingWindow)}</h2>
                    <form action=CreateReadingWindow::PATH method="post" class="stack">
                        <input type="hidden" name="branch" value=branch.to_string() />
                        {window_fields(values, refused.create, "new")}
                        <button type="submit" class="button button-primary">{t(Key::Create)}</button>
                    </form>
                </section>
            }
            .into_any())
        }
    };

    Ok(view! {
        {chooser}
        <section class="panel" aria-labelledby="windows-heading">
            <h2 id="windows-heading">{branch_name}</h2>
            {table}
        </section>
        {form}
    }
    .into_any())
}

#[component]
pub fn ReadingSchedulesPage() -> impl IntoView {
    let Some(user) = identity().user else {
        return ().into_any();
    };
    let create_error = submission_error::<CreateReadingWindow>();
    let update_error = submission_error::<UpdateReadingWindow>();
    let delete_error = submission_error::<DeleteReadingWindow>();
    let banner = [&create_error, &update_error, &delete_error]
        .into_iter()
        .flatten()
        .find(|error| error.form_errors().is_none())
        .cloned();
    let refused = Refused {
        create: create_error
            .as_ref()
            .and_then(AppError::form_errors)
            .cloned(),
        update: update_error
            .as_ref()
            .and_then(AppError::form_errors)
            .cloned(),
    };
    let done = query_param("done").and_then(|done| match done.as_str() {
        "created" => Some(Key::WindowCreated),
        "saved" => Some(Key::UserSaved),
        "deleted" => Some(Key::WindowDeleted),
        _ => None,
    });
    let asked_branch = query_param("branch");
    let editing = query_param("edit");
    let content = Suspend::new(async move {
        or_error_banner(schedule_content(user, asked_branch, editing, refused).await)
    });
    view! {
        {page_title(Key::ReadingSchedulesTitle)}
        <Layout current=PAGE>
            <h1>{t(Key::ReadingSchedulesTitle)}</h1>
            <p class="lead">{t(Key::ReadingSchedulesIntro)}</p>
            <Notice message=done />
            <ErrorBanner error=banner />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_are_not_numbers_are_not_found() {
        assert_eq!(parse_id("7"), Ok(ReadingWindowId(7)));
        assert_eq!(parse_id("7; DROP"), Err(AppError::NotFound));
    }
}
