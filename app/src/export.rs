//! The ticket list as CSV, streamed page by page (keyset), never built in memory.

use std::collections::HashMap;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures::stream;

use crate::auth::{Permission, authorize};
use crate::i18n::Key;
use crate::pages::ticket_common::Lookups;
use crate::request::RequestIdentity;
use crate::state::AppState;
use crate::store::tickets::{TicketFilter, TicketListItem, TicketOrder};
use crate::tickets::TicketListQuery;

/// Rows fetched per round trip while streaming.
const EXPORT_PAGE: i64 = 1000;

fn csv_rows(
    rows: &[TicketListItem],
    lookups: &Lookups,
    language: crate::domain::Language,
    header: bool,
) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200));
    let name = |entries: &[crate::store::reference::LookupEntry], id: Option<i64>| {
        id.and_then(|id| entries.iter().find(|entry| entry.id == id))
            .map(|entry| entry.name(language).to_owned())
            .unwrap_or_default()
    };
    if header {
        let columns = [
            Key::TicketCode,
            Key::Created,
            Key::RequestType,
            Key::Status,
            Key::Priority,
            Key::Department,
            Key::Branch,
            Key::Customer,
            Key::Phone,
            Key::ContractCodeLabel,
            Key::Address,
            Key::Assignee,
            Key::DueDate,
            Key::Source,
        ];
        // Errors writing into a Vec cannot happen; a failed row is skipped rather than aborting the stream.
        let _ = writer.write_record(columns.iter().map(|key| key.text(language)));
    }
    for row in rows {
        let status = crate::domain::TicketStatus::from_id(row.id_status)
            .map(|s| s.key().text(language))
            .unwrap_or_default();
        let source = crate::domain::TicketSource::parse(&row.source)
            .map(|s| s.key().text(language))
            .unwrap_or_default();
        let record = [
            row.feedback_code.clone().unwrap_or_default(),
            crate::format::date_time(row.created_at),
            name(&lookups.types, Some(row.id_type)),
            status.to_owned(),
            name(&lookups.priorities, Some(row.id_priority)),
            name(&lookups.departments, row.id_process_unit),
            row.branch_code.to_string(),
            row.customer_name.clone(),
            row.customer_phone
                .as_ref()
                .map(|p| p.display())
                .unwrap_or_default(),
            row.contact_code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            row.customer_address.clone(),
            row.assignee_name.clone().unwrap_or_default(),
            row.date_due
                .map(crate::format::date_time)
                .unwrap_or_default(),
            source.to_owned(),
        ];
        let _ = writer.write_record(&record);
    }
    writer.into_inner().unwrap_or_default()
}

struct ExportState {
    state: AppState,
    filter: TicketFilter,
    lookups: Lookups,
    language: crate::domain::Language,
    cursor: Option<crate::domain::TicketId>,
    first: bool,
    done: bool,
}

/// `GET /tickets/export.csv?…` with the list's filters; the user's branch scope applies.
pub async fn export_tickets_csv(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(user) = identity.user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if authorize(&user, Permission::Read, user.branch.as_ref()).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let query = TicketListQuery::from_params(|name| params.get(name).cloned());
    let filter = query.to_filter(&user, Utc::now());
    let lookups = match Lookups::load(&state.db).await {
        Ok(lookups) => lookups,
        Err(error) => return (error.http_status(), "").into_response(),
    };
    tracing::info!(user_id = %user.id, "ticket export started");
    let start = ExportState {
        state,
        filter,
        lookups,
        language: identity.language,
        cursor: None,
        first: true,
        done: false,
    };
    let body = stream::unfold(start, |mut export| async move {
        if export.done {
            return None;
        }
        let page = export
            .state
            .db
            .list_tickets(
                &export.filter,
                TicketOrder::NewestFirst,
                export.cursor,
                EXPORT_PAGE,
            )
            .await;
        match page {
            Ok(rows) => {
                export.done = (rows.len() as i64) < EXPORT_PAGE;
                export.cursor = rows.last().map(|row| row.id);
                let mut bytes = if export.first {
                    "\u{feff}".as_bytes().to_vec()
                } else {
                    Vec::new()
                };
                bytes.extend(csv_rows(
                    &rows,
                    &export.lookups,
                    export.language,
                    export.first,
                ));
                export.first = false;
                Some((Ok::<_, std::io::Error>(bytes), export))
            }
            Err(error) => {
                tracing::error!(?error, "ticket export failed mid-stream");
                export.done = true;
                Some((Err(std::io::Error::other("export failed")), export))
            }
        }
    });
    let file_name = format!("phieu-yeu-cau-{}.csv", Utc::now().format("%Y%m%d-%H%M"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
