//! The overview: open tickets per status, the 30-day trend by branch, overdue
//! tickets and the user's own queue — charts drawn by ECharts from options built
//! with charming, each with its numbers in an accessible table.

use std::collections::BTreeMap;

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Color, Tooltip, Trigger};
use charming::series::Bar;
use chrono::{Duration, Utc};
use leptos::prelude::*;

use crate::auth::Scope;
use crate::components::Layout;
use crate::components::layout::role_label;
use crate::domain::TicketStatus;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::ticket_common::status_badge;
use crate::request::{app_state, identity, require_user};
use crate::store::tickets::{TicketFilter, TicketOrder};

/// Twelve distinguishable colours, one per branch of the trend chart.
const BRANCH_COLOURS: [&str; 12] = [
    "#0a6ebd", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#1098ad", "#f08c00", "#5c940d",
    "#862e9c", "#495057", "#d6336c", "#0b7285",
];

/// A chart container and its ECharts option as a JSON data block (no inline script).
fn chart(id: &'static str, label: Key, option: &Chart) -> impl IntoView + use<> {
    let json = serde_json::to_string(option).unwrap_or_else(|_| "{}".to_owned());
    view! {
        <div class="chart" id=id role="img" aria-label=t(label)></div>
        <script type="application/json" data-chart=id inner_html=json.replace("</", "<\\/")></script>
    }
}

async fn dashboard() -> Result<AnyView, AppError> {
    let user = require_user()?;
    let state = app_state()?;
    let scope = Scope::of(&user).branch().cloned();
    let now = Utc::now();
    let base = TicketFilter {
        scope: scope.clone(),
        ..TicketFilter::default()
    };
    let counts = state.db.count_tickets_by_status(&base).await?;
    let overdue_filter = TicketFilter {
        overdue_at: Some(now),
        ..base.clone()
    };
    let overdue: i64 = state
        .db
        .count_tickets_by_status(&overdue_filter)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    // HQ staff see how many tickets wait to be routed to a branch.
    let unrouted = match scope {
        Some(_) => None,
        None => {
            let filter = TicketFilter {
                unrouted: true,
                ..base.clone()
            };
            let count: i64 = state
                .db
                .count_tickets_by_status(&filter)
                .await?
                .iter()
                .map(|(_, n)| n)
                .sum();
            Some(count)
        }
    };
    let mine_filter = TicketFilter {
        assignee: Some(user.id),
        ..base.clone()
    };
    let mine = state
        .db
        .list_tickets(&mine_filter, TicketOrder::NewestFirst, None, 10)
        .await?;
    let since = now - Duration::days(30);
    let per_day = state
        .db
        .tickets_created_per_day(scope.as_ref(), since)
        .await?;

    let open: Vec<(TicketStatus, i64)> = TicketStatus::ALL
        .into_iter()
        .filter(|status| status.is_open())
        .map(|status| {
            (
                status,
                counts
                    .iter()
                    .find(|(id, _)| *id == status.id())
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    let open_total: i64 = open.iter().map(|(_, n)| n).sum();
    let status_chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                .left("3%")
                .right("3%")
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(open.iter().map(|(s, _)| t(s.key())).collect()),
        )
        .y_axis(Axis::new().type_(AxisType::Value))
        .series(
            Bar::new()
                .name(t(Key::NavTickets))
                .data(open.iter().map(|(_, n)| *n).collect()),
        );

    // Days × branches, zero-filled so every day of the window shows.
    let days: Vec<String> = (0..=30)
        .map(|back| {
            (now - Duration::days(30 - back))
                .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let mut by_branch: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (day, branch, count) in &per_day {
        by_branch
            .entry(crate::format::branch_or_unrouted(branch.as_ref()))
            .or_default()
            .insert(day.clone(), *count);
    }
    let short = |day: &String| format!("{}/{}", &day[8..10], &day[5..7]);
    let mut trend = Chart::new()
        .color(
            BRANCH_COLOURS
                .iter()
                .map(|colour| Color::from(*colour))
                .collect(),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("bottom"))
        .grid(
            Grid::new()
                .left("3%")
                .right("3%")
                .bottom("15%")
                .contain_label(true),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(days.iter().map(short).collect()),
        )
        .y_axis(Axis::new().type_(AxisType::Value));
    for (branch, series) in &by_branch {
        let data: Vec<i64> = days
            .iter()
            .map(|day| series.get(day).copied().unwrap_or(0))
            .collect();
        trend = trend.series(Bar::new().name(branch.as_str()).stack("total").data(data));
    }

    let status_rows = open
        .iter()
        .map(|(status, count)| view! { <tr><td>{status_badge(status.id())}</td><td class="num">{crate::format::count(*count)}</td></tr> })
        .collect_view();
    let trend_rows = days
        .iter()
        .rev()
        .filter_map(|day| {
            let total: i64 = by_branch.values().filter_map(|series| series.get(day)).sum();
            (total > 0).then(|| {
                let detail = by_branch
                    .iter()
                    .filter_map(|(branch, series)| series.get(day).map(|n| format!("{branch} {n}")))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! { <tr><td>{short(day)}</td><td class="num">{crate::format::count(total)}</td><td>{detail}</td></tr> }
            })
        })
        .collect_view();
    let mine_rows = mine
        .iter()
        .map(|ticket| {
            view! {
                <li>
                    <a href=format!("/tickets/{}", ticket.id)>{ticket.feedback_code.clone().unwrap_or_default()}</a>
                    " · " {ticket.customer_name.clone()} " " {status_badge(ticket.id_status)}
                </li>
            }
        })
        .collect_view();
    let mine_empty = mine.is_empty();

    Ok(view! {
        <div class="cards">
            <a class="card" href="/tickets">
                <span class="card-label">{t(Key::OpenTickets)}</span>
                <span class="card-value" data-testid="open-count">{crate::format::count(open_total)}</span>
            </a>
            <a class="card card-alert" href="/tickets?overdue=1">
                <span class="card-label">{t(Key::Overdue)}</span>
                <span class="card-value" data-testid="overdue-count">{crate::format::count(overdue)}</span>
            </a>
            {unrouted.map(|count| view! {
                <a class="card" href="/tickets?branch=unrouted">
                    <span class="card-label">{t(Key::UnroutedQueue)}</span>
                    <span class="card-value" data-testid="unrouted-count">{crate::format::count(count)}</span>
                </a>
            })}
            <a class="card" href="/tickets?mine=1">
                <span class="card-label">{t(Key::MineOnly)}</span>
                <span class="card-value">{mine.len()}</span>
            </a>
        </div>
        <div class="grid-2">
            <section class="panel" aria-labelledby="status-heading">
                <h2 id="status-heading">{t(Key::OpenByStatus)}</h2>
                {chart("chart-status", Key::OpenByStatus, &status_chart)}
                <table class="table compact" data-testid="status-table">
                    <thead><tr><th scope="col">{t(Key::Status)}</th><th scope="col" class="num">{t(Key::Count)}</th></tr></thead>
                    <tbody>{status_rows}</tbody>
                </table>
            </section>
            <section class="panel" aria-labelledby="queue-heading">
                <h2 id="queue-heading">{t(Key::MyQueue)}</h2>
                {if mine_empty {
                    view! { <p class="empty">{t(Key::NoTickets)}</p> }.into_any()
                } else {
                    view! { <ul class="queue">{mine_rows}</ul> }.into_any()
                }}
            </section>
        </div>
        <section class="panel" aria-labelledby="trend-heading">
            <h2 id="trend-heading">{t(Key::CreatedPerDay)}</h2>
            {chart("chart-trend", Key::CreatedPerDay, &trend)}
            <details>
                <summary>{t(Key::ShowNumbers)}</summary>
                <table class="table compact" data-testid="trend-table">
                    <thead><tr>
                        <th scope="col">{t(Key::Day)}</th><th scope="col" class="num">{t(Key::Count)}</th><th scope="col">{t(Key::Branch)}</th>
                    </tr></thead>
                    <tbody>{trend_rows}</tbody>
                </table>
            </details>
        </section>
        <script src="/assets/echarts.min.js" defer></script>
        <script src="/assets/charts.js" defer></script>
    }
    .into_any())
}

#[component]
pub fn HomePage() -> impl IntoView {
    let user = identity().user;
    let heading = user.map(|user| {
        let scope = user
            .branch
            .as_ref()
            .map_or_else(|| t(Key::ScopeHq).to_owned(), ToString::to_string);
        view! {
            <h1>{t(Key::Welcome)} ", " {user.display_name.clone()}</h1>
            <p class="lead">{t(role_label(user.role))} " · " {scope}</p>
        }
    });
    let content = Suspend::new(async move { super::or_error_banner(dashboard().await) });
    view! {
        {page_title(Key::NavHome)}
        <Layout current="/">
            {heading}
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
