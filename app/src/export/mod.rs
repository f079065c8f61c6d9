//! The filtered ticket list as a file — CSV or XLSX — streamed page by page (keyset),
//! never built in memory. Both formats take the same columns, filters and branch scope.

mod csv;
mod xlsx;

use std::collections::HashMap;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::stream;

use crate::auth::{Permission, authorize};
use crate::domain::{Language, TicketId, TicketSource, TicketStatus};
use crate::i18n::Key;
use crate::pages::ticket_common::Lookups;
use crate::request::RequestIdentity;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::reference::LookupEntry;
use crate::store::tickets::{TicketFilter, TicketListItem, TicketOrder};
use crate::tickets::TicketListQuery;

/// Rows fetched per round trip while streaming.
const EXPORT_PAGE: i64 = 1000;

/// One exported column: its heading and a typical width in characters.
struct Column {
    title: Key,
    width: u8,
}

const COLUMNS: [Column; 14] = [
    Column {
        title: Key::TicketCode,
        width: 16,
    },
    Column {
        title: Key::Created,
        width: 17,
    },
    Column {
        title: Key::RequestType,
        width: 26,
    },
    Column {
        title: Key::Status,
        width: 15,
    },
    Column {
        title: Key::Priority,
        width: 12,
    },
    Column {
        title: Key::Department,
        width: 26,
    },
    Column {
        title: Key::Branch,
        width: 8,
    },
    Column {
        title: Key::Customer,
        width: 24,
    },
    Column {
        title: Key::Phone,
        width: 14,
    },
    Column {
        title: Key::ContractCodeLabel,
        width: 14,
    },
    Column {
        title: Key::Address,
        width: 40,
    },
    Column {
        title: Key::Assignee,
        width: 20,
    },
    Column {
        title: Key::DueDate,
        width: 17,
    },
    Column {
        title: Key::Source,
        width: 12,
    },
];

/// One exported value: text, or a moment each format writes its own way.
enum Cell {
    Text(String),
    Moment(DateTime<Utc>),
    Empty,
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        let value = value.into();
        if value.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value)
        }
    }
}

/// A ticket's values in `COLUMNS` order.
fn cells(row: &TicketListItem, lookups: &Lookups, language: Language) -> [Cell; COLUMNS.len()] {
    let name = |entries: &[LookupEntry], id: Option<i64>| {
        Cell::text(
            id.and_then(|id| entries.iter().find(|entry| entry.id == id))
                .map(|entry| entry.name(language))
                .unwrap_or_default(),
        )
    };
    [
        Cell::text(row.feedback_code.clone().unwrap_or_default()),
        Cell::Moment(row.created_at),
        name(&lookups.types, Some(row.id_type)),
        Cell::text(
            TicketStatus::from_id(row.id_status)
                .map(|status| status.key().text(language))
                .unwrap_or_default(),
        ),
        name(&lookups.priorities, Some(row.id_priority)),
        name(&lookups.departments, row.id_process_unit),
        Cell::text(row.branch_code.as_ref().map_or_else(
            || Key::Unrouted.text(language).to_owned(),
            ToString::to_string,
        )),
        Cell::text(row.customer_name.clone()),
        Cell::text(
            row.customer_phone
                .as_ref()
                .map(|phone| phone.display())
                .unwrap_or_default(),
        ),
        Cell::text(
            row.contact_code
                .as_ref()
                .map(|code| code.as_str())
                .unwrap_or_default(),
        ),
        Cell::text(row.customer_address.clone()),
        Cell::text(row.assignee_name.clone().unwrap_or_default()),
        row.date_due.map_or(Cell::Empty, Cell::Moment),
        Cell::text(
            TicketSource::parse(&row.source)
                .map(|source| source.key().text(language))
                .unwrap_or_default(),
        ),
    ]
}

/// A file format the list is streamed into: the bytes of each part, in order.
trait Encoder: Send + 'static {
    const CONTENT_TYPE: &'static str;
    const EXTENSION: &'static str;
    /// What comes before the first row, the column headings included.
    fn start(&mut self, headings: &[&str]) -> std::io::Result<Vec<u8>>;
    /// A page of rows.
    fn rows(&mut self, rows: &[[Cell; COLUMNS.len()]]) -> std::io::Result<Vec<u8>>;
    /// True when the format holds no more rows (a worksheet's row limit).
    fn is_full(&self) -> bool {
        false
    }
    /// What comes after the last row.
    fn finish(&mut self) -> std::io::Result<Vec<u8>>;
}

/// `GET /tickets/export.csv?…` with the list's filters; the user's branch scope applies.
pub async fn export_tickets_csv(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    export(state, identity, params, csv::Csv).await
}

/// `GET /tickets/export.xlsx?…`: the same list as an Excel workbook of one sheet.
pub async fn export_tickets_xlsx(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let encoder = xlsx::Xlsx::new(Key::NavTickets.text(identity.language));
    export(state, identity, params, encoder).await
}

/// Where the stream is: the first page is read before answering, so a failing
/// query is an error status rather than a cut-off file.
enum Phase {
    Start(Vec<TicketListItem>),
    Next(TicketId),
    Finish,
    Done,
}

struct Export<E> {
    state: AppState,
    filter: TicketFilter,
    lookups: std::sync::Arc<Lookups>,
    language: Language,
    encoder: E,
    phase: Phase,
}

impl<E: Encoder> Export<E> {
    /// Encodes a page and says what comes next.
    fn page(&mut self, rows: &[TicketListItem]) -> std::io::Result<Vec<u8>> {
        let cells: Vec<_> = rows
            .iter()
            .map(|row| cells(row, &self.lookups, self.language))
            .collect();
        let bytes = self.encoder.rows(&cells)?;
        self.phase = match rows.last() {
            Some(last) if rows.len() as i64 == EXPORT_PAGE && !self.encoder.is_full() => {
                Phase::Next(last.id)
            }
            _ => Phase::Finish,
        };
        Ok(bytes)
    }

    /// The next chunk of the file, or `None` once it is complete.
    async fn next_chunk(&mut self) -> Option<std::io::Result<Vec<u8>>> {
        let result = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => return None,
            Phase::Start(rows) => {
                let headings: Vec<&str> = COLUMNS
                    .iter()
                    .map(|column| column.title.text(self.language))
                    .collect();
                self.encoder.start(&headings).and_then(|mut bytes| {
                    bytes.extend(self.page(&rows)?);
                    Ok(bytes)
                })
            }
            Phase::Next(cursor) => {
                match fetch_page(&self.state, &self.filter, Some(cursor)).await {
                    Ok(rows) => self.page(&rows),
                    Err(error) => {
                        tracing::error!(?error, "ticket export failed mid-stream");
                        Err(std::io::Error::other("export failed"))
                    }
                }
            }
            Phase::Finish => self.encoder.finish(),
        };
        if result.is_err() {
            self.phase = Phase::Done;
        }
        Some(result)
    }
}

async fn fetch_page(
    state: &AppState,
    filter: &TicketFilter,
    cursor: Option<TicketId>,
) -> Result<Vec<TicketListItem>, StoreError> {
    state
        .db
        .list_tickets(filter, TicketOrder::NewestFirst, cursor, EXPORT_PAGE)
        .await
}

async fn export<E: Encoder>(
    state: AppState,
    identity: RequestIdentity,
    params: HashMap<String, String>,
    encoder: E,
) -> Response {
    let Some(user) = identity.user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if authorize(&user, Permission::Read, user.branch.as_ref()).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let query = TicketListQuery::from_params(|name| params.get(name).cloned());
    let filter = query.to_filter(&user, Utc::now());
    let lookups = match state
        .reference_names()
        .await
        .map(|names| names.lookups.clone())
    {
        Ok(lookups) => lookups,
        Err(error) => return (error.http_status(), "").into_response(),
    };
    let first = match fetch_page(&state, &filter, None).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(?error, "ticket export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    tracing::info!(user_id = %user.id, format = E::EXTENSION, "ticket export started");
    let export = Export {
        state,
        filter,
        lookups,
        language: identity.language,
        encoder,
        phase: Phase::Start(first),
    };
    let body = stream::unfold(export, |mut export| async move {
        export.next_chunk().await.map(|chunk| (chunk, export))
    });
    let file_name = format!(
        "phieu-yeu-cau-{}.{}",
        Utc::now().format("%Y%m%d-%H%M"),
        E::EXTENSION
    );
    (
        [
            (header::CONTENT_TYPE, E::CONTENT_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
