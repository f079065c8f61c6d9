//! The federation sync: how many outbox messages are pending, delivered and
//! failed, the failed ones and those waiting too long, each with "retry now"
//! (HQ admins: every branch; branch admins: their branch's tickets). Also the
//! "Đồng bộ" panel of the ticket page.

use chrono::Utc;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::{ErrorBanner, Layout, Notice, submission_error};
use crate::error::AppError;
use crate::format::date_time;
use crate::i18n::{Key, t};
use crate::outbox_admin::sync_scope;
use crate::page_title;
use crate::pages::forbidden::Forbidden;
use crate::pages::{or_error_banner, query_param};
use crate::request::{app_state, identity, require_user};
use crate::store::outbox::{HQ_PEER, OutboxMessage, OutboxProblem};

const PAGE: &str = "/admin/sync";

/// Makes a failed or waiting message due now.
#[server(endpoint = "sync/retry")]
pub async fn retry_outbox_message(id: String) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = id.trim().parse().map_err(|_| AppError::NotFound)?;
    crate::outbox_admin::retry(&app_state()?.db, &actor, id, Utc::now()).await?;
    leptos_axum::redirect(&format!("{PAGE}?done=retried"));
    Ok(())
}

/// A message's state as a translated badge.
pub fn state_badge(state: &str) -> impl IntoView + use<> {
    let (label, class) = match state {
        "delivered" => (Key::SyncDelivered, "badge"),
        "failed" => (Key::SyncFailed, "badge badge-failed"),
        _ => (Key::SyncPending, "badge badge-pending"),
    };
    view! { <span class=class data-state=state.to_owned()>{t(label)}</span> }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "create" => t(Key::SyncKindCreate),
        _ => t(Key::SyncKindUpdate),
    }
}

fn peer_label(peer: &str) -> String {
    if peer == HQ_PEER {
        t(Key::PeerHq).to_owned()
    } else {
        peer.to_owned()
    }
}

/// The peer's last error (after its HTTP status unless that has a column of
/// its own), or a dash.
fn last_error(message: &OutboxMessage, with_status: bool) -> impl IntoView + use<> {
    let status = message
        .peer_status
        .filter(|_| with_status)
        .map(|status| format!("HTTP {status}"))
        .unwrap_or_default();
    if message.last_error.is_empty() && status.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <div class="sync-error">
            {(!status.is_empty()).then(|| view! { <strong>{status}</strong> " " })}
            {message.last_error.clone()}
        </div>
    }
    .into_any()
}

/// When the message was written, and when it was delivered or is tried next.
fn when(message: &OutboxMessage) -> impl IntoView + use<> {
    let next = match (message.state.as_str(), message.delivered_at) {
        ("delivered", Some(at)) => Some((Key::SyncDeliveredAt, at)),
        ("pending", _) => Some((Key::SyncNextAttempt, message.next_attempt_at)),
        _ => None,
    };
    view! {
        {date_time(message.created_at)}
        {next.map(|(label, at)| view! { <br /><span class="muted small">{t(label)} ": " {date_time(at)}</span> })}
    }
}

/// The "Đồng bộ" section of a ticket's page; nothing when it has no messages.
pub fn ticket_sync_panel(messages: Vec<OutboxMessage>) -> Option<AnyView> {
    if messages.is_empty() {
        return None;
    }
    let rows = messages
        .iter()
        .map(|message| {
            view! {
                <tr>
                    <td>{peer_label(&message.peer)}</td>
                    <td>{kind_label(&message.kind)}</td>
                    <td>{state_badge(&message.state)}</td>
                    <td class="num">{message.attempts}</td>
                    <td>{last_error(message, true)}</td>
                    <td class="nowrap">{when(message)}</td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <section class="panel" aria-labelledby="sync-heading" data-testid="ticket-sync">
                <h2 id="sync-heading">{t(Key::SyncPanel)}</h2>
                <div class="table-wrap">
                    <table class="table compact">
                        <thead><tr>
                            <th scope="col">{t(Key::SyncPeer)}</th>
                            <th scope="col">{t(Key::SyncKind)}</th>
                            <th scope="col">{t(Key::Status)}</th>
                            <th scope="col" class="num">{t(Key::SyncAttempts)}</th>
                            <th scope="col">{t(Key::SyncLastError)}</th>
                            <th scope="col">{t(Key::Created)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
        .into_any(),
    )
}

fn problem_row(problem: OutboxProblem) -> impl IntoView {
    let message = problem.message;
    let code = problem
        .ticket_code
        .unwrap_or_else(|| message.ticket_id.to_string());
    view! {
        <tr data-testid=format!("outbox-{}", message.id)>
            <td><a href=format!("/tickets/{}", message.ticket_id)>{code}</a></td>
            <td>{peer_label(&message.peer)}</td>
            <td>{kind_label(&message.kind)}</td>
            <td>{state_badge(&message.state)}</td>
            <td class="num">{message.attempts}</td>
            <td>{last_error(&message, false)}</td>
            <td class="num">{message.peer_status.map(|status| status.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
            <td class="nowrap">{when(&message)}</td>
            <td>
                <form action=RetryOutboxMessage::PATH method="post" class="inline-form">
                    <input type="hidden" name="id" value=message.id.to_string() />
                    <button type="submit" class="button">{t(Key::SyncRetryNow)}</button>
                </form>
            </td>
        </tr>
    }
}

#[component]
pub fn SyncPage() -> impl IntoView {
    let Some(actor) = identity().user else {
        return ().into_any();
    };
    let Ok(scope) = sync_scope(&actor) else {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current=PAGE><Forbidden /></Layout>
        }
        .into_any();
    };
    let error = submission_error::<RetryOutboxMessage>();
    let done = query_param("done")
        .filter(|done| done == "retried")
        .map(|_| Key::SyncRetried);

    let content = Suspend::new(async move {
        let result: Result<AnyView, AppError> = async move {
            let overview =
                crate::outbox_admin::overview(&app_state()?.db, &actor, Utc::now()).await?;
            let counts = overview.counts;
            let table = if overview.problems.is_empty() {
                view! { <p class="empty">{t(Key::SyncNoProblems)}</p> }.into_any()
            } else {
                let rows = overview.problems.into_iter().map(problem_row).collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table compact" data-testid="sync-problems">
                            <thead><tr>
                                <th scope="col">{t(Key::TicketCode)}</th>
                                <th scope="col">{t(Key::SyncPeer)}</th>
                                <th scope="col">{t(Key::SyncKind)}</th>
                                <th scope="col">{t(Key::Status)}</th>
                                <th scope="col" class="num">{t(Key::SyncAttempts)}</th>
                                <th scope="col">{t(Key::SyncLastError)}</th>
                                <th scope="col" class="num">{t(Key::SyncPeerStatus)}</th>
                                <th scope="col">{t(Key::Created)}</th>
                                <th scope="col">{t(Key::Actions)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            Ok(view! {
                <div class="cards">
                    <div class="card">
                        <span class="card-label">{t(Key::SyncPending)}</span>
                        <span class="card-value" data-testid="count-pending">{counts.pending}</span>
                    </div>
                    <div class="card">
                        <span class="card-label">{t(Key::SyncDelivered)}</span>
                        <span class="card-value" data-testid="count-delivered">{counts.delivered}</span>
                    </div>
                    <div class="card" class:card-alert=counts.failed.gt(&0)>
                        <span class="card-label">{t(Key::SyncFailed)}</span>
                        <span class="card-value" data-testid="count-failed">{counts.failed}</span>
                    </div>
                </div>
                <section class="panel" aria-labelledby="problems-heading">
                    <h2 id="problems-heading">{t(Key::SyncProblems)}</h2>
                    {table}
                    {overview.truncated.then(|| view! { <p class="muted small">{t(Key::SyncTruncated)}</p> })}
                </section>
            }
            .into_any())
        }
        .await;
        or_error_banner(result)
    });

    view! {
        {page_title(Key::SyncTitle)}
        <Layout current=PAGE>
            <h1>{t(Key::SyncTitle)}</h1>
            <p class="lead">
                {t(Key::SyncIntro)}
                {scope.is_some().then(|| view! { " " {t(Key::SyncIntroBranch)} })}
            </p>
            <Notice message=done />
            <ErrorBanner error=error />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}
