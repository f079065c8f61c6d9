//! Tickets: creation, the filtered list, the page, and every change with its timeline event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Backend, Db, StoreError, StoreResult};
use crate::domain::{BranchCode, ContractCode, Phone, TicketId, TicketStatus, UserId};
use crate::on_pool;

/// A bind value of a query assembled at run time.
#[derive(Clone, Debug)]
enum Arg {
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
}

/// Binds `args` in order to a query built from dynamic SQL, on whichever pool is live.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::I64(value) => query.bind(*value),
                Arg::OptI64(value) => query.bind(*value),
                Arg::Text(value) => query.bind(value.clone()),
                Arg::Time(value) => query.bind(*value),
                Arg::OptTime(value) => query.bind(*value),
            };
        }
        query
    }};
}

/// A household member declared on a quota registration (đăng ký định mức).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TicketMember {
    pub citizen_id: String,
    pub name: String,
    pub address: String,
    /// 1 permanent (thường trú), 2 temporary (tạm trú).
    pub address_type: i64,
}

/// Everything a new ticket holds; parsed and checked by the service layer.
#[derive(Clone, Debug, Default)]
pub struct NewTicket {
    pub branch: Option<BranchCode>,
    pub id_type: i64,
    pub id_priority: i64,
    pub id_process_unit: Option<i64>,
    pub source: &'static str,
    pub id_customer: Option<i64>,
    pub contact_code: Option<ContractCode>,
    pub customer_name: String,
    pub customer_phone: Option<Phone>,
    pub email: String,
    pub identify_number: Option<String>,
    pub customer_address: String,
    pub ward_code: String,
    pub district_code: String,
    pub province_code: String,
    pub latitude: String,
    pub longitude: String,
    pub content: String,
    pub note: String,
    pub id_service_category: Option<i64>,
    pub id_related: Option<i64>,
    pub id_service_reason: Option<i64>,
    pub reading_number: Option<i64>,
    pub reading_month: Option<i64>,
    pub reading_year: Option<i64>,
    pub accuracy: String,
    pub reporter_name: String,
    pub incident_type: String,
    pub id_phenomena: Option<i64>,
    pub customer_type: Option<i64>,
    pub tax_code: String,
    pub legal_representative: String,
    pub contact_person_name: String,
    pub contact_person_phone: String,
    pub contact_person_email: String,
    pub contact_address: String,
    pub date_due: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
    pub actor_label: String,
    pub members: Vec<TicketMember>,
    /// The API account that sent the ticket, and its own id for it (`id_feedback`).
    pub api_account_id: Option<i64>,
    pub external_id: Option<String>,
    /// Digest of the request, to tell a replay of `id_feedback` from a clash.
    pub request_digest: String,
    pub external_customer_id: String,
    /// Files already stored by content hash, recorded with the ticket.
    pub files: Vec<NewFile>,
}

/// A file already written to the attachment store, to be recorded on a ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewFile {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// '' for the ticket itself, `members.N` for a quota member's id card.
    pub purpose: String,
}

/// Who makes a change: a staff user, an API account, or the system, with the label
/// the timeline shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub api_account: Option<i64>,
    pub label: String,
}

/// At most this many staff are offered in a ticket's assignee list.
const ASSIGNABLE_STAFF_SHOWN: i64 = 500;

/// Which of a ticket's optional lists hold anything (see [`Db::ticket_for_page`]).
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct TicketExtras {
    pub has_members: bool,
    pub has_attachments: bool,
    pub has_outbox: bool,
}

#[derive(sqlx::FromRow)]
struct TicketWithExtras {
    #[sqlx(flatten)]
    ticket: Ticket,
    #[sqlx(flatten)]
    extras: TicketExtras,
    /// The timeline as a JSON array of `[id, kind, actor_label, from_value,
    /// to_value, body, internal (0/1), created_at]`; NULL when empty (PostgreSQL).
    events_json: Option<String>,
}

/// A ticket as its page shows it, read in one statement (see
/// [`Db::ticket_for_page`]).
pub struct TicketRead {
    pub ticket: Ticket,
    pub extras: TicketExtras,
    pub events: Vec<TicketEvent>,
}

/// The active staff whom a ticket of branch `branch` may be assigned to
/// (`branch` is an SQL expression).
fn assignable_staff_where(branch: &str) -> String {
    format!(
        "active = TRUE AND role IN ('admin', 'hq_staff', 'branch_staff', 'branch_admin') \
         AND (branch_code IS NULL OR branch_code = {branch})"
    )
}

/// One timeline event as [`Db::ticket_for_page`] aggregates it.
type EventJson = (i64, String, String, String, String, String, i64, String);

fn events_from_json(json: Option<&str>) -> StoreResult<Vec<TicketEvent>> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let rows: Vec<EventJson> = serde_json::from_str(json)
        .map_err(|error| anyhow::anyhow!("reading a ticket's timeline: {error}"))?;
    rows.into_iter()
        .map(
            |(id, kind, actor_label, from_value, to_value, body, internal, created_at)| {
                // Both backends' text forms are RFC 3339 (SQLite's as sqlx
                // wrote it, PostgreSQL's as its JSON prints a timestamptz).
                let created_at = created_at.parse().map_err(|error| {
                    anyhow::anyhow!("reading the time of ticket event {id}: {error}")
                })?;
                Ok(TicketEvent {
                    id,
                    kind,
                    actor_label,
                    from_value,
                    to_value,
                    body,
                    internal: internal != 0,
                    created_at,
                })
            },
        )
        .collect()
}

/// A ticket as stored, with the seed's field names.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Ticket {
    pub id: TicketId,
    pub feedback_code: Option<String>,
    pub branch_code: Option<BranchCode>,
    pub id_type: i64,
    pub id_status: i64,
    pub id_priority: i64,
    pub id_process_unit: Option<i64>,
    pub assignee_user_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub source: String,
    pub id_customer: Option<i64>,
    pub contact_code: Option<ContractCode>,
    pub customer_name: String,
    pub customer_phone: Option<Phone>,
    pub email: String,
    pub identify_number: Option<String>,
    pub customer_address: String,
    pub ward_code: String,
    pub district_code: String,
    pub province_code: String,
    pub latitude: String,
    pub longitude: String,
    pub content: String,
    pub solution: String,
    pub note: String,
    pub id_service_category: Option<i64>,
    pub id_related: Option<i64>,
    pub id_service_reason: Option<i64>,
    pub reading_number: Option<i64>,
    pub reading_month: Option<i64>,
    pub reading_year: Option<i64>,
    pub accuracy: String,
    pub reporter_name: String,
    pub incident_type: String,
    pub id_phenomena: Option<i64>,
    pub customer_type: Option<i64>,
    pub tax_code: String,
    pub legal_representative: String,
    pub contact_person_name: String,
    pub contact_person_phone: String,
    pub contact_person_email: String,
    pub contact_address: String,
    pub date_due: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub api_account_id: Option<i64>,
    pub external_id: Option<String>,
    pub external_customer_id: String,
}

impl Ticket {
    pub fn status(&self) -> Option<TicketStatus> {
        TicketStatus::from_id(self.id_status)
    }

    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status().is_some_and(TicketStatus::is_open)
            && self.date_due.is_some_and(|due| due < now)
    }
}

/// One row of the ticket list.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct TicketListItem {
    pub id: TicketId,
    pub feedback_code: Option<String>,
    pub branch_code: Option<BranchCode>,
    pub id_type: i64,
    pub id_status: i64,
    pub id_priority: i64,
    pub id_process_unit: Option<i64>,
    pub assignee_name: Option<String>,
    pub source: String,
    pub contact_code: Option<ContractCode>,
    pub customer_name: String,
    pub customer_phone: Option<Phone>,
    pub customer_address: String,
    pub date_due: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One entry of a ticket's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TicketEvent {
    pub id: i64,
    pub kind: String,
    pub actor_label: String,
    pub from_value: String,
    pub to_value: String,
    pub body: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

/// What the ticket list shows: every filter is optional; `scope` is the user's branch
/// limit and always applies.
#[derive(Clone, Debug, Default)]
pub struct TicketFilter {
    pub scope: Option<BranchCode>,
    pub branch: Option<BranchCode>,
    /// Only tickets without a branch yet (HQ's unrouted queue).
    pub unrouted: bool,
    pub status: Option<i64>,
    pub id_type: Option<i64>,
    pub priority: Option<i64>,
    pub department: Option<i64>,
    pub assignee: Option<UserId>,
    pub source: Option<&'static str>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub customer: Option<i64>,
    pub search: Option<TicketSearch>,
}

/// A search box entry, already recognised: identifiers match exactly, words by prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketSearch {
    Phone(Phone),
    ContractCode(ContractCode),
    Code(String),
    /// Eleven digits starting with 84: a phone written `84…` or a contract code.
    PhoneOrContract(Phone, ContractCode),
    /// Folded words (lower-case, no accents), each matched as a word prefix.
    Words(Vec<String>),
}

/// A change to a ticket, written with its timeline event in one transaction.
#[derive(Clone, Debug)]
pub enum TicketChange {
    Status {
        from: i64,
        to: i64,
    },
    Assign {
        department: Option<i64>,
        assignee: Option<UserId>,
        label: String,
    },
    Priority(i64),
    Due(Option<DateTime<Utc>>),
    Solution(String),
    Note {
        body: String,
    },
    Content(String),
    RequestType(i64),
    Department(Option<i64>),
}

const TICKET_COLUMNS: &str = "t.id, t.feedback_code, t.branch_code, t.id_type, t.id_status, t.id_priority, \
    t.id_process_unit, t.assignee_user_id, u.display_name AS assignee_name, t.source, t.id_customer, \
    t.contact_code, t.customer_name, t.customer_phone, t.email, t.identify_number, t.customer_address, \
    t.ward_code, t.district_code, t.province_code, t.latitude, t.longitude, t.content, t.solution, t.note, \
    t.id_service_category, t.id_related, t.id_service_reason, t.reading_number, t.reading_month, \
    t.reading_year, t.accuracy, t.reporter_name, t.incident_type, t.id_phenomena, t.customer_type, \
    t.tax_code, t.legal_representative, t.contact_person_name, t.contact_person_phone, \
    t.contact_person_email, t.contact_address, t.date_due, t.created_at, t.updated_at, \
    t.api_account_id, t.external_id, t.external_customer_id";

const LIST_COLUMNS: &str = "t.id, t.feedback_code, t.branch_code, t.id_type, t.id_status, t.id_priority, \
    t.id_process_unit, u.display_name AS assignee_name, t.source, t.contact_code, t.customer_name, \
    t.customer_phone, t.customer_address, t.date_due, t.created_at";

/// The folded words a ticket is found by.
pub fn search_text(ticket: &NewTicket, feedback_code: &str) -> String {
    fold_ticket_words(
        feedback_code,
        ticket.contact_code.as_ref(),
        ticket.customer_phone.as_ref(),
        &ticket.customer_name,
        &ticket.customer_address,
        &ticket.reporter_name,
        &ticket.content,
    )
}

/// A ticket's words, at creation ([`search_text`]) and again when its content
/// changes ([`reindex_words`]): the reporter's name and the first 2,000
/// characters of the content are the free text after the identifiers, the name
/// and the address.
fn fold_ticket_words(
    feedback_code: &str,
    contract: Option<&ContractCode>,
    phone: Option<&Phone>,
    name: &str,
    address: &str,
    reporter_name: &str,
    content: &str,
) -> String {
    let mut text = reporter_name.to_owned();
    text.push(' ');
    text.extend(content.chars().take(2000));
    search_words(feedback_code, contract, phone, name, address, &text)
}

/// Folds what a ticket is searched by: code, contract code, phone (as `84…` and
/// `0…`), customer name, address and free text.
pub fn search_words(
    feedback_code: &str,
    contract: Option<&ContractCode>,
    phone: Option<&Phone>,
    name: &str,
    address: &str,
    text: &str,
) -> String {
    let parts = [
        feedback_code,
        contract.map_or("", |c| c.as_str()),
        phone.map_or("", |p| p.as_str()),
        &phone
            .map(|p| format!("0{}", &p.as_str()[2..]))
            .unwrap_or_default(),
        name,
        address,
        text,
    ];
    crate::domain::fold::fold(&parts.join(" "))
}

/// Words joined for the full-text index: every word whole except the last, which is a
/// prefix (it may still be being typed) — prefixes of short common words are costly.
fn match_expression(words: &[String], quote: &str, prefix: &str, and: &str) -> String {
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            if index == last {
                format!("{quote}{word}{prefix}")
            } else {
                format!("{quote}{word}{quote}")
            }
        })
        .collect::<Vec<_>>()
        .join(and)
}

/// A moment as a PostgreSQL literal (RFC 3339, UTC, to the microsecond).
fn timestamp_literal(moment: DateTime<Utc>) -> String {
    format!(
        "TIMESTAMPTZ '{}'",
        moment.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

/// A word as the search index sees it: letters and digits only.
fn index_word(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A search's words as the index sees them, the empty ones left out.
fn index_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|word| index_word(word))
        .filter(|word| !word.is_empty())
        .collect()
}

/// A ticket's facets in SQLite's word index (its second column): its status and
/// branch as words, `s3 bgd`, over the columns of `tickets` (migration 0013).
pub(crate) const SQLITE_SEARCH_FACETS: &str =
    "'s' || id_status || coalesce(' b' || lower(branch_code), '')";

/// A step of merging SQLite's word index, run by each write that adds to it.
///
/// Every transaction that writes to the index adds a segment, and the segments
/// are merged as they pile up. FTS5 merges on its own (`automerge`) in steps
/// of 64 pages times the index's levels, every 64 pages written: under load,
/// one ticket-creating group in thirty took 10–25 ms instead of 3, and the
/// creations queued behind it waited too. Migration 0014 turns that off; each
/// write asks instead for a step of at most 32 pages, which merges nothing
/// unless a level holds four segments — small steps, taken as often as
/// segments are added, so the merging keeps up. Writes that do not ask (a
/// status change's trigger) leave segments that a later step, or FTS5's own
/// merge of a level that reaches 16 segments, takes in.
pub(crate) const SQLITE_MERGE_TICKET_WORDS: &str =
    "INSERT INTO ticket_search (ticket_search, rank) VALUES ('merge', 32)";

/// Writes ticket `$1`'s entry in SQLite's word index from its row, and merges
/// a step (see [`SQLITE_MERGE_TICKET_WORDS`]).
static SQLITE_INDEX_TICKET_WORDS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO ticket_search (rowid, search_text, facets) \
         SELECT id, search_text, {SQLITE_SEARCH_FACETS} FROM tickets WHERE id = $1; \
         {SQLITE_MERGE_TICKET_WORDS}"
    )
});

/// A search's index words as a question to the block-qualified word index, a
/// `format()` pattern whose `%1$s` is the block (`b%1$sznguyen & b%1$szvan:*`).
fn postgres_block_words(words: &[String]) -> String {
    let words: Vec<String> = words.iter().map(|word| format!("b%1$sz{word}")).collect();
    match_expression(&words, "", ":*", " & ")
}

/// The tickets a per-status count covers when nothing but the branch narrows them:
/// then `ticket_status_counts` answers exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KeptCounts {
    Everything,
    /// One branch's tickets (`""`: those without a branch yet).
    Branch(String),
    /// Branch conditions no ticket meets (two different branches).
    Nothing,
}

/// At most this many of a word search's newest matches are counted, on both
/// backends; the tabs then read "50+". So many fit the list's first page (51
/// rows), and with no status chosen the counts are read off that page instead
/// of walking the same matches again (see `FirstPage`). Counting more cost more
/// than the page itself: on PostgreSQL each block of the word index asked again
/// (~52 ms of database time for "nguyen van hung" at 200, ~20 at 50, before the
/// first page was reused); on SQLite, narrowed to a branch, 8 ms of FTS5 walking
/// for 200 matches against 2 ms for the page.
const WORD_COUNT_CAP: i64 = 50;

/// A filter's first page of tickets, newest first, as the list read it: at most
/// `limit` rows, fewer only when no more tickets match.
#[derive(Clone, Copy, Debug)]
pub struct FirstPage<'a> {
    pub rows: &'a [TicketListItem],
    pub limit: i64,
}

impl FirstPage<'_> {
    /// Per status, how many of the newest `cap` matches the page shows — `None`
    /// when the page is full and holds fewer than `cap` rows (more may match).
    fn status_counts(self, cap: i64) -> Option<(Vec<(i64, i64)>, CountBound)> {
        let shown = self.rows.len() as i64;
        let complete = shown < self.limit;
        if !complete && shown < cap {
            return None;
        }
        let counted = shown.min(cap);
        let mut counts: Vec<(i64, i64)> = Vec::new();
        for row in &self.rows[..counted as usize] {
            match counts
                .iter_mut()
                .find(|(status, _)| *status == row.id_status)
            {
                Some((_, count)) => *count += 1,
                None => counts.push((row.id_status, 1)),
            }
        }
        counts.sort_unstable();
        let bound = if counted >= cap {
            CountBound::AtLeast
        } else {
            CountBound::Exact
        };
        Some((counts, bound))
    }

    /// Raises `status`'s count, a lower bound, to what this page of that status
    /// shows (up to a full page: `limit` holds one row more than a page). A
    /// search's newest matches may hold none of the chosen status while its
    /// page holds many; its tab then says "50+", not "0+".
    fn raise_to_shown(self, status: i64, counts: &mut Vec<(i64, i64)>) {
        let shown = (self.rows.len() as i64).min(self.limit - 1);
        match counts.iter_mut().find(|(id, _)| *id == status) {
            Some((_, count)) => *count = (*count).max(shown),
            None if shown > 0 => {
                counts.push((status, shown));
                counts.sort_unstable();
            }
            None => {}
        }
    }
}

/// How far the list's status tabs can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountBound {
    /// Every count is exact.
    Exact,
    /// A count that reached the cap means "cap or more"; the others are exact.
    CappedAt(i64),
    /// Every count is a lower bound (a word search counts its newest matches).
    AtLeast,
}

impl CountBound {
    /// Whether a tab showing `count` must say "or more".
    pub fn is_lower_bound(self, count: i64) -> bool {
        match self {
            CountBound::Exact => false,
            CountBound::CappedAt(cap) => count >= cap,
            CountBound::AtLeast => true,
        }
    }
}

impl TicketFilter {
    /// Which kept counts answer this filter's per-status counts (its status
    /// aside), if nothing but the branch narrows it.
    fn kept_counts(&self) -> Option<KeptCounts> {
        let narrowed = self.id_type.is_some()
            || self.priority.is_some()
            || self.department.is_some()
            || self.assignee.is_some()
            || self.source.is_some()
            || self.created_from.is_some()
            || self.created_before.is_some()
            || self.overdue_at.is_some()
            || self.customer.is_some()
            || self.search.is_some();
        if narrowed {
            return None;
        }
        let mut branches = self
            .scope
            .iter()
            .chain(self.branch.iter())
            .map(|branch| branch.as_str())
            .chain(self.unrouted.then_some(""));
        let Some(first) = branches.next() else {
            return Some(KeptCounts::Everything);
        };
        Some(if branches.all(|other| other == first) {
            KeptCounts::Branch(first.to_owned())
        } else {
            KeptCounts::Nothing
        })
    }

    /// Whether this filter's statement carries values in its text and is planned
    /// for them, once. PostgreSQL connections plan every prepared statement
    /// generically (`plan_cache_mode = force_generic_plan`, see
    /// `Db::connect_with`): re-planning the list's statement for each execution
    /// cost more than running it. Where the best plan depends on the value — how
    /// many tickets a date range matches decides between walking the newest
    /// tickets and collecting the matches — the value is written into the text as
    /// a literal instead, and the statement is not kept. A word search's plan is
    /// fixed by the statement's shape (see `postgres_word_matches`): its words
    /// are bound, and its statement is kept.
    fn planned_per_value(&self, backend: Backend) -> bool {
        backend == Backend::Postgres
            && (self.created_from.is_some() || self.created_before.is_some())
    }

    /// Whether this filter is a word search that SQLite answers from its word index.
    fn searches_words_on(&self, backend: Backend) -> bool {
        backend == Backend::Sqlite
            && matches!(&self.search, Some(TicketSearch::Words(words))
                if words.iter().any(|word| !index_word(word).is_empty()))
    }

    /// On PostgreSQL, a word search's question to the block-qualified word index
    /// (`search_blocks`), as a `format()` pattern whose `%1$s` is the block: its
    /// words, and the status and branch it is narrowed to, which the index holds
    /// too (migration 0015); see [`postgres_word_matches`].
    fn postgres_block_expression(&self, backend: Backend) -> Option<String> {
        let Some(TicketSearch::Words(words)) = &self.search else {
            return None;
        };
        let words = index_words(words);
        if backend != Backend::Postgres || words.is_empty() {
            return None;
        }
        let mut question = postgres_block_words(&words);
        let (status, branches) = self.narrowed_to();
        if let Some(status) = status {
            question.push_str(&format!(" & b%1$sx{status}"));
        }
        for branch in branches {
            question.push_str(&format!(" & b%1$sy{branch}"));
        }
        Some(question)
    }

    /// The status and branches (lower case) a word search is narrowed to, which
    /// both backends' word indexes hold beside the words.
    fn narrowed_to(&self) -> (Option<i64>, impl Iterator<Item = String> + '_) {
        let branches = self.scope.iter().chain(self.branch.iter());
        (
            self.status,
            branches.map(|branch| branch.as_str().to_lowercase()),
        )
    }

    /// On SQLite, a word search's question to the word index: its words in
    /// `search_text`, and the status and branch it is narrowed to in `facets`
    /// (see [`SQLITE_SEARCH_FACETS`]), which FTS5 intersects with them.
    fn sqlite_match_expression(&self, words: &[String]) -> String {
        let mut question = format!(
            "search_text : ({})",
            match_expression(words, "\"", "\"*", " AND ")
        );
        let (status, branches) = self.narrowed_to();
        if let Some(status) = status {
            question.push_str(&format!(" AND facets : \"s{status}\""));
        }
        for branch in branches {
            question.push_str(&format!(" AND facets : \"b{branch}\""));
        }
        question
    }

    /// This filter with its search left out: the conditions a PostgreSQL word
    /// search applies besides its words (see [`postgres_word_matches`]).
    fn without_search(&self) -> TicketFilter {
        TicketFilter {
            search: None,
            ..self.clone()
        }
    }

    /// The FROM of a query over this filter's tickets (`t`) and the key rows are
    /// ordered and paged by. A SQLite word search walks the word index (`s`,
    /// FTS5, which returns its rows in rowid order, either way) and looks each
    /// match up in tickets — `CROSS JOIN` keeps SQLite from turning that around and
    /// probing the index once per ticket — so the newest 50 matches cost 50
    /// lookups, however many tickets match.
    fn source(&self, backend: Backend) -> (&'static str, &'static str) {
        if self.searches_words_on(backend) {
            (
                "ticket_search s CROSS JOIN tickets t ON t.id = s.rowid",
                "s.rowid",
            )
        } else {
            ("tickets t", "t.id")
        }
    }

    /// The WHERE clause (with `t.` columns) and its binds, numbered from `$1`.
    fn where_clause(&self, backend: Backend, args: &mut Vec<Arg>) -> String {
        let mut conditions: Vec<String> = Vec::new();
        if self.unrouted {
            conditions.push("t.branch_code IS NULL".to_owned());
        }
        let push = |conditions: &mut Vec<String>, args: &mut Vec<Arg>, sql: &str, arg: Arg| {
            args.push(arg);
            conditions.push(sql.replace('?', &format!("${}", args.len())));
        };
        if let Some(scope) = &self.scope {
            push(
                &mut conditions,
                args,
                "t.branch_code = ?",
                Arg::Text(scope.to_string()),
            );
        }
        if let Some(branch) = &self.branch {
            push(
                &mut conditions,
                args,
                "t.branch_code = ?",
                Arg::Text(branch.to_string()),
            );
        }
        if let Some(status) = self.status {
            push(&mut conditions, args, "t.id_status = ?", Arg::I64(status));
        }
        if let Some(id_type) = self.id_type {
            push(&mut conditions, args, "t.id_type = ?", Arg::I64(id_type));
        }
        if let Some(priority) = self.priority {
            push(
                &mut conditions,
                args,
                "t.id_priority = ?",
                Arg::I64(priority),
            );
        }
        if let Some(department) = self.department {
            push(
                &mut conditions,
                args,
                "t.id_process_unit = ?",
                Arg::I64(department),
            );
        }
        if let Some(assignee) = self.assignee {
            push(
                &mut conditions,
                args,
                "t.assignee_user_id = ?",
                Arg::I64(assignee.0),
            );
        }
        if let Some(source) = self.source {
            push(
                &mut conditions,
                args,
                "t.source = ?",
                Arg::Text(source.to_owned()),
            );
        }
        match backend {
            Backend::Sqlite => {
                if let Some(from) = self.created_from {
                    push(&mut conditions, args, "t.created_at >= ?", Arg::Time(from));
                }
                if let Some(before) = self.created_before {
                    push(&mut conditions, args, "t.created_at < ?", Arg::Time(before));
                }
            }
            // Written into the text: see `planned_per_value`.
            Backend::Postgres => {
                if let Some(from) = self.created_from {
                    conditions.push(format!("t.created_at >= {}", timestamp_literal(from)));
                }
                if let Some(before) = self.created_before {
                    conditions.push(format!("t.created_at < {}", timestamp_literal(before)));
                }
            }
        }
        if let Some(customer) = self.customer {
            push(
                &mut conditions,
                args,
                "t.id_customer = ?",
                Arg::I64(customer),
            );
        }
        if let Some(now) = self.overdue_at {
            push(
                &mut conditions,
                args,
                "t.date_due < ? AND t.id_status IN (1, 2, 3, 6)",
                Arg::Time(now),
            );
        }
        match &self.search {
            None => {}
            Some(TicketSearch::Phone(phone)) => {
                push(
                    &mut conditions,
                    args,
                    "t.customer_phone = ?",
                    Arg::Text(phone.as_str().to_owned()),
                );
            }
            Some(TicketSearch::ContractCode(code)) => {
                push(
                    &mut conditions,
                    args,
                    "t.contact_code = ?",
                    Arg::Text(code.as_str().to_owned()),
                );
            }
            Some(TicketSearch::PhoneOrContract(phone, code)) => {
                args.push(Arg::Text(phone.as_str().to_owned()));
                args.push(Arg::Text(code.as_str().to_owned()));
                conditions.push(format!(
                    "(t.customer_phone = ${} OR t.contact_code = ${})",
                    args.len() - 1,
                    args.len()
                ));
            }
            Some(TicketSearch::Code(code)) => {
                push(
                    &mut conditions,
                    args,
                    "t.feedback_code = ?",
                    Arg::Text(code.clone()),
                );
            }
            Some(TicketSearch::Words(words)) => {
                let words = index_words(words);
                if words.is_empty() {
                    conditions.push("1 = 0".into());
                } else {
                    match backend {
                        // The FROM of `source` drives from the word index.
                        Backend::Sqlite => {
                            push(
                                &mut conditions,
                                args,
                                "s.ticket_search MATCH ?",
                                Arg::Text(self.sqlite_match_expression(&words)),
                            );
                        }
                        // Each ticket tested against its own block's question.
                        // Lists and counts ask the index instead, block by block
                        // (`postgres_word_matches`); this serves any other query.
                        Backend::Postgres => {
                            push(
                                &mut conditions,
                                args,
                                "t.search_blocks @@ to_tsquery('simple', format(?, t.id >> 15))",
                                Arg::Text(postgres_block_words(&words)),
                            );
                        }
                    }
                }
            }
        }
        if conditions.is_empty() {
            "TRUE".to_owned()
        } else {
            conditions.join(" AND ")
        }
    }
}

/// How many of the newest tickets a PostgreSQL word search tests one by one
/// before it asks the block-qualified word index (see [`postgres_word_matches`]).
const POSTGRES_WORD_WALK: i64 = 512;

/// The ids of a PostgreSQL word search's newest `limit` matches (below the
/// cursor, when `cursor` is its placeholder), as a derived table of `id`;
/// `blocks` is the placeholder of its [`TicketFilter::postgres_block_expression`].
///
/// GIN returns matches in no order, so the newest 50 of a search cost every
/// match of its words; and walking the newest tickets, testing each one's words,
/// costs ~0.4 µs a ticket — 5 ms for the 12,000 that hold 51 matches of "nguyen
/// van hung". Instead:
/// 1. the newest [`POSTGRES_WORD_WALK`] tickets are tested one by one, each
///    against its block's question (parsed once per block, not per ticket),
///    which answers a search of common words (one ticket in ten or more) alone;
/// 2. below them, the index is asked block by block, newest block first. Each
///    ticket's words, status and branch are indexed prefixed with its id's
///    block (`id >> 15`: 32,768 tickets, migrations 0014 and 0015), so a block's
///    question intersects only that block's posting lists, and a search narrowed
///    to a status or branch fetches only the rows in it; the walk over blocks
///    stops at `limit` matches.
///
/// The filter's other conditions (`conditions`, over `t`, without the words:
/// see [`TicketFilter::without_search`]) are applied after each step, behind
/// `OFFSET 0`, so that the planner cannot combine the word index with another
/// index over the whole table.
fn postgres_word_matches(
    blocks: &str,
    conditions: &str,
    cursor: Option<&str>,
    limit: i64,
) -> String {
    let below = cursor.map_or(String::new(), |cursor| format!("WHERE id < {cursor}"));
    let walk = POSTGRES_WORD_WALK;
    format!(
        "WITH edge AS MATERIALIZED (SELECT (SELECT id FROM tickets {below} ORDER BY id DESC \
           OFFSET {offset} LIMIT 1) AS id), \
         questions AS MATERIALIZED (SELECT b.block, to_tsquery('simple', format({blocks}, b.block)) AS question \
           FROM generate_series(COALESCE((SELECT id FROM edge), 0) >> 15, \
             (SELECT max(id) FROM tickets {below}) >> 15) AS b(block)), \
         walked AS MATERIALIZED (SELECT t.id FROM (SELECT * FROM tickets {below} ORDER BY id DESC \
           LIMIT {walk}) AS t JOIN questions q ON q.block = t.id >> 15 \
           WHERE t.search_blocks @@ q.question AND {conditions} ORDER BY t.id DESC LIMIT {limit}) \
         SELECT id FROM walked \
         UNION ALL \
         (SELECT m.id FROM generate_series((SELECT id FROM edge) >> 15, 0, -1) AS b(block) \
            CROSS JOIN LATERAL (SELECT t.id FROM (SELECT * FROM tickets \
              WHERE search_blocks @@ to_tsquery('simple', format({blocks}, b.block)) OFFSET 0) AS t \
              WHERE t.id < (SELECT id FROM edge) AND {conditions} ORDER BY t.id DESC LIMIT {limit}) AS m \
          WHERE (SELECT COUNT(*) FROM walked) < {limit} LIMIT {limit})",
        offset = walk - 1,
    )
}

/// Which way the list pages: newest first from a cursor, or oldest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TicketOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// The prefix of the code of a ticket created without a branch (kept once routed,
/// as every ticket keeps its first code).
pub const UNROUTED_CODE_PREFIX: &str = "HQ";

/// A ticket's code (`GD-0000042`), from the branch it was created at.
pub fn ticket_code(branch: Option<&BranchCode>, id: TicketId) -> String {
    let prefix = branch.map_or(UNROUTED_CODE_PREFIX, BranchCode::as_str);
    format!("{prefix}-{:07}", id.0)
}

/// The columns a new ticket is inserted with, and their values (`$1`…`$43`,
/// bound by [`bind_new_ticket!`]; `$39` is the creation time).
const INSERT_COLUMNS: &str = "branch_code, id_type, id_status, id_priority, id_process_unit, source, \
    id_customer, contact_code, customer_name, customer_phone, email, identify_number, customer_address, \
    ward_code, district_code, province_code, latitude, longitude, content, note, id_service_category, \
    id_related, id_service_reason, reading_number, reading_month, reading_year, accuracy, reporter_name, \
    incident_type, id_phenomena, customer_type, tax_code, legal_representative, contact_person_name, \
    contact_person_phone, contact_person_email, contact_address, date_due, created_by_user_id, created_at, updated_at, \
    api_account_id, external_id, request_digest, external_customer_id";
const INSERT_VALUES: &str = "$1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
    $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $39, \
    $40, $41, $42, $43";

/// Binds a [`NewTicket`]'s values in the order of [`INSERT_VALUES`].
macro_rules! bind_new_ticket {
    ($query:expr, $ticket:expr, $now:expr) => {
        $query
            .bind($ticket.branch.as_ref())
            .bind($ticket.id_type)
            .bind($ticket.id_priority)
            .bind($ticket.id_process_unit)
            .bind($ticket.source)
            .bind($ticket.id_customer)
            .bind($ticket.contact_code.as_ref())
            .bind(&$ticket.customer_name)
            .bind($ticket.customer_phone.as_ref())
            .bind(&$ticket.email)
            .bind($ticket.identify_number.as_deref())
            .bind(&$ticket.customer_address)
            .bind(&$ticket.ward_code)
            .bind(&$ticket.district_code)
            .bind(&$ticket.province_code)
            .bind(&$ticket.latitude)
            .bind(&$ticket.longitude)
            .bind(&$ticket.content)
            .bind(&$ticket.note)
            .bind($ticket.id_service_category)
            .bind($ticket.id_related)
            .bind($ticket.id_service_reason)
            .bind($ticket.reading_number)
            .bind($ticket.reading_month)
            .bind($ticket.reading_year)
            .bind(&$ticket.accuracy)
            .bind(&$ticket.reporter_name)
            .bind(&$ticket.incident_type)
            .bind($ticket.id_phenomena)
            .bind($ticket.customer_type)
            .bind(&$ticket.tax_code)
            .bind(&$ticket.legal_representative)
            .bind(&$ticket.contact_person_name)
            .bind(&$ticket.contact_person_phone)
            .bind(&$ticket.contact_person_email)
            .bind(&$ticket.contact_address)
            .bind($ticket.date_due)
            .bind($ticket.created_by)
            .bind($now)
            .bind($ticket.api_account_id)
            .bind($ticket.external_id.as_deref())
            .bind(&$ticket.request_digest)
            .bind(&$ticket.external_customer_id)
    };
}

/// A plain creation on SQLite as a write of its own, one script: the ticket
/// (with its code and search words), its search entry, creation event and outbox
/// messages. Its group runs it so when the group's shared insert failed.
fn plain_create_alone_on_sqlite(
    create: super::plain_create::PlainCreate,
) -> super::sqlite_writer::Work {
    let outbox = super::outbox::enqueue_sql(
        "tickets",
        "t.id = (SELECT max(id) FROM tickets)",
        ["'create'", "'{}'", "'[]'", "$39", "$40"],
    );
    let script = super::sqlite_writer::in_savepoint(&format!(
        "INSERT INTO tickets ({INSERT_COLUMNS}) VALUES ({INSERT_VALUES}); \
         UPDATE tickets SET feedback_code = $44 || '-' || printf('%07d', id), \
           search_text = lower($44) || '-' || printf('%07d', id) || $45 WHERE id = last_insert_rowid(); \
         INSERT INTO ticket_search (rowid, search_text, facets) \
           SELECT id, search_text, {SQLITE_SEARCH_FACETS} FROM tickets WHERE id = (SELECT max(id) FROM tickets); \
         INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, to_value, created_at) \
           SELECT max(id), 'created', $38, $40, $46, '1', $39 FROM tickets; \
         {outbox}; \
         SELECT max(id) FROM tickets"
    ));
    Box::new(move |conn| {
        Box::pin(async move {
            let super::plain_create::PlainCreate {
                ticket,
                prefix,
                rest,
                now,
            } = create;
            bind_new_ticket!(sqlx::query_scalar(&script), ticket, now)
                .bind(&prefix)
                .bind(&rest)
                .bind(&ticket.actor_label)
                .fetch_one(conn)
                .await
        })
    })
}

impl Db {
    /// Creates a ticket with its creation event, members and search entry; one transaction.
    #[tracing::instrument(skip_all, fields(branch = ?ticket.branch, id_type = ticket.id_type))]
    pub async fn create_ticket(&self, ticket: &NewTicket) -> StoreResult<TicketId> {
        if ticket.members.is_empty() && ticket.files.is_empty() {
            return self.create_plain_ticket(ticket).await;
        }
        // No branch: an unrouted ticket, waiting at HQ until staff route it.
        let branch = ticket.branch.as_ref();
        let now = Utc::now();
        let insert =
            format!("INSERT INTO tickets ({INSERT_COLUMNS}) VALUES ({INSERT_VALUES}) RETURNING id");
        // SQLite has one writer: queue ticket creations in the process rather than
        // in SQLite's busy handler, whose sleeps grow under contention.
        let _writer = match self {
            Db::Sqlite(pool) => Some(super::sqlite_writer::exclusive(pool).await),
            Db::Postgres(_) => None,
        };
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: TicketId = bind_new_ticket!(sqlx::query_scalar(&insert), ticket, now)
                .fetch_one(&mut *tx)
                .await?;
            let code = ticket_code(branch, id);
            let text = search_text(ticket, &code);
            sqlx::query("UPDATE tickets SET feedback_code = $2, search_text = $3 WHERE id = $1")
                .bind(id)
                .bind(&code)
                .bind(&text)
                .execute(&mut *tx)
                .await?;
            if matches!(self.backend(), Backend::Sqlite) {
                sqlx::query(&SQLITE_INDEX_TICKET_WORDS)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            for member in &ticket.members {
                sqlx::query(
                    "INSERT INTO ticket_members (ticket_id, citizen_id, name, address, address_type) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&member.citizen_id)
                .bind(&member.name)
                .bind(&member.address)
                .bind(member.address_type)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, to_value, created_at) \
                 VALUES ($1, 'created', $2, $3, $4, '1', $5)",
            )
            .bind(id)
            .bind(ticket.created_by)
            .bind(ticket.api_account_id)
            .bind(&ticket.actor_label)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let actor = Actor {
                user: ticket.created_by,
                api_account: ticket.api_account_id,
                label: ticket.actor_label.clone(),
            };
            let mut attachments = Vec::with_capacity(ticket.files.len());
            for file in &ticket.files {
                attachments.push(insert_file(&mut tx, id, file, &actor, now).await?);
            }
            super::outbox::enqueue(
                &mut tx,
                id,
                "create",
                "{}",
                &attachments,
                ticket.api_account_id,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?;
        Ok(id)
    }

    /// The usual create — no quota members, no files — in one round trip to the
    /// database: ticket (with its code and search words), creation event, search
    /// entry and outbox messages in one SQLite script, committed together with the
    /// creates that queued beside it (`sqlite_writer`'s group commit), or one
    /// PostgreSQL statement of data-modifying CTEs. Each round trip costs more than
    /// the statements it carries (on SQLite a hand-off to the connection's thread,
    /// on PostgreSQL a network exchange), and on SQLite each commit more still.
    async fn create_plain_ticket(&self, ticket: &NewTicket) -> StoreResult<TicketId> {
        let now = Utc::now();
        let prefix = ticket
            .branch
            .as_ref()
            .map_or(UNROUTED_CODE_PREFIX, BranchCode::as_str)
            .to_owned();
        // search_text(ticket, code) is the folded code, then the folded rest.
        let rest = search_text(ticket, "");
        let rest = if rest.is_empty() {
            rest
        } else {
            format!(" {rest}")
        };
        let create = super::plain_create::PlainCreate {
            ticket: ticket.clone(),
            prefix,
            rest,
            now,
        };
        let id = match self {
            Db::Sqlite(pool) => TicketId(
                super::sqlite_writer::create(pool, create, plain_create_alone_on_sqlite).await?,
            ),
            Db::Postgres(pool) => super::pg_writer::create(pool, create).await?,
        };
        Ok(id)
    }

    pub async fn ticket(&self, id: TicketId) -> StoreResult<Ticket> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t LEFT JOIN staff_users u ON u.id = t.assignee_user_id WHERE t.id = $1"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    /// A ticket with its timeline (aggregated as JSON) and whether it has quota
    /// members, attachments and outbox messages, in one statement: each
    /// statement is a round trip (a hand-off to sqlx's SQLite thread and back, a
    /// PostgreSQL bind and execute), and the page reads those three lists only
    /// when there is something in them (most tickets have none of them). The
    /// staff it may be assigned to are read apart ([`Db::assignable_staff`]),
    /// and the portal reuses them a moment (`auth::AssignableStaffCache`).
    pub async fn ticket_for_page(&self, id: TicketId) -> StoreResult<TicketRead> {
        const EVENT: &str = "e.id, e.kind, e.actor_label, e.from_value, e.to_value, e.body, \
            CASE WHEN e.internal THEN 1 ELSE 0 END, e.created_at";
        let timeline = match self {
            Db::Sqlite(_) => format!(
                "(SELECT json_group_array(json_array({EVENT}) ORDER BY e.id) \
                  FROM ticket_events e WHERE e.ticket_id = t.id)"
            ),
            Db::Postgres(_) => format!(
                "(SELECT CAST(json_agg(json_build_array({EVENT}) ORDER BY e.id) AS TEXT) \
                  FROM ticket_events e WHERE e.ticket_id = t.id)"
            ),
        };
        let sql = format!(
            "SELECT {TICKET_COLUMNS}, \
               EXISTS (SELECT 1 FROM ticket_members m WHERE m.ticket_id = t.id) AS has_members, \
               EXISTS (SELECT 1 FROM ticket_attachments a WHERE a.ticket_id = t.id) AS has_attachments, \
               EXISTS (SELECT 1 FROM outbox_messages o WHERE o.ticket_id = t.id) AS has_outbox, \
               {timeline} AS events_json \
             FROM tickets t LEFT JOIN staff_users u ON u.id = t.assignee_user_id WHERE t.id = $1"
        );
        let row: TicketWithExtras = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)?;
        let events = events_from_json(row.events_json.as_deref())?;
        Ok(TicketRead {
            ticket: row.ticket,
            extras: row.extras,
            events,
        })
    }

    pub async fn ticket_events(&self, id: TicketId) -> StoreResult<Vec<TicketEvent>> {
        let sql = "SELECT id, kind, actor_label, from_value, to_value, body, internal, created_at \
                   FROM ticket_events WHERE ticket_id = $1 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn ticket_members(&self, id: TicketId) -> StoreResult<Vec<TicketMember>> {
        let sql = "SELECT citizen_id, name, address, address_type FROM ticket_members WHERE ticket_id = $1 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_all(pool)
            .await)?)
    }

    /// Runs a statement over `filter`'s tickets with the binds its WHERE clause
    /// collected, kept as a prepared statement unless values were written into
    /// its text (see [`TicketFilter::planned_per_value`]).
    async fn fetch_filtered<T>(
        &self,
        filter: &TicketFilter,
        sql: &str,
        args: &[Arg],
    ) -> StoreResult<Vec<T>>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let persistent = !filter.planned_per_value(self.backend());
        Ok(on_pool!(self, |pool| bind_args!(
            sqlx::query_as(sql).persistent(persistent),
            args
        )
        .fetch_all(pool)
        .await)?)
    }

    /// One page of the list: `limit` rows after the `cursor` id in the chosen order.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        order: TicketOrder,
        cursor: Option<TicketId>,
        limit: i64,
    ) -> StoreResult<Vec<TicketListItem>> {
        let mut args = Vec::new();
        let (comparison, direction) = match order {
            TicketOrder::NewestFirst => ("<", "DESC"),
            TicketOrder::OldestFirst => (">", "ASC"),
        };
        let (from, key) = filter.source(self.backend());
        if order == TicketOrder::NewestFirst
            && let Some(blocks) = filter.postgres_block_expression(self.backend())
        {
            let conditions = filter
                .without_search()
                .where_clause(self.backend(), &mut args);
            args.push(Arg::Text(blocks));
            let blocks = format!("${}", args.len());
            let cursor = cursor.map(|cursor| {
                args.push(Arg::I64(cursor.0));
                format!("${}", args.len())
            });
            let matches = postgres_word_matches(&blocks, &conditions, cursor.as_deref(), limit);
            let sql = format!(
                "SELECT {LIST_COLUMNS} FROM ({matches}) AS m JOIN tickets t ON t.id = m.id \
                 LEFT JOIN staff_users u ON u.id = t.assignee_user_id ORDER BY t.id DESC LIMIT {limit}"
            );
            return self.fetch_filtered(filter, &sql, &args).await;
        }
        let mut conditions = filter.where_clause(self.backend(), &mut args);
        if let Some(cursor) = cursor {
            args.push(Arg::I64(cursor.0));
            conditions = format!("{conditions} AND {key} {comparison} ${}", args.len());
        }
        // The limit is written into the text: see `TicketFilter::planned_per_value`.
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM {from} LEFT JOIN staff_users u ON u.id = t.assignee_user_id \
             WHERE {conditions} ORDER BY {key} {direction} LIMIT {limit}"
        );
        self.fetch_filtered(filter, &sql, &args).await
    }

    /// How many tickets match the filter, per status id (the list's tabs).
    pub async fn count_tickets_by_status(
        &self,
        filter: &TicketFilter,
    ) -> StoreResult<Vec<(i64, i64)>> {
        if let Some(kept) = filter.kept_counts() {
            return self.kept_status_counts(&kept).await;
        }
        let mut args = Vec::new();
        let mut without_status = filter.clone();
        without_status.status = None;
        let conditions = without_status.where_clause(self.backend(), &mut args);
        let (from, _) = without_status.source(self.backend());
        let sql = format!(
            "SELECT t.id_status, COUNT(*) FROM {from} WHERE {conditions} GROUP BY t.id_status ORDER BY t.id_status"
        );
        self.fetch_filtered(&without_status, &sql, &args).await
    }

    /// The kept per-branch, per-status counts (`ticket_status_counts`), with the
    /// changes PostgreSQL has not folded in yet.
    async fn kept_status_counts(&self, kept: &KeptCounts) -> StoreResult<Vec<(i64, i64)>> {
        let (condition, branch) = match kept {
            KeptCounts::Nothing => return Ok(Vec::new()),
            KeptCounts::Everything => ("TRUE", None),
            KeptCounts::Branch(branch) => ("branch_code = $1", Some(branch.as_str())),
        };
        let counted = match self {
            Db::Sqlite(_) => "ticket_status_counts",
            Db::Postgres(_) => {
                "(SELECT branch_code, id_status, tickets FROM ticket_status_counts \
                 UNION ALL SELECT branch_code, id_status, change FROM ticket_status_count_changes) AS c"
            }
        };
        let sql = format!(
            "SELECT id_status, CAST(SUM(tickets) AS BIGINT) FROM {counted} WHERE {condition} \
             GROUP BY id_status HAVING SUM(tickets) > 0 ORDER BY id_status"
        );
        Ok(on_pool!(self, |pool| {
            let query = sqlx::query_as(&sql);
            match branch {
                Some(branch) => query.bind(branch),
                None => query,
            }
            .fetch_all(pool)
            .await
        })?)
    }

    /// Folds PostgreSQL's pending count changes into `ticket_status_counts` (the
    /// server does so every few seconds; nothing to do on SQLite). Rows are taken
    /// and added in one transaction, in key order, so concurrent folds neither
    /// count a change twice nor deadlock.
    pub async fn fold_ticket_count_changes(&self) -> StoreResult<()> {
        if let Db::Postgres(pool) = self {
            sqlx::query(
                "WITH folded AS (DELETE FROM ticket_status_count_changes \
                   RETURNING branch_code, id_status, change) \
                 INSERT INTO ticket_status_counts (branch_code, id_status, tickets) \
                   SELECT branch_code, id_status, SUM(change) FROM folded \
                   GROUP BY branch_code, id_status ORDER BY branch_code, id_status \
                 ON CONFLICT (branch_code, id_status) \
                   DO UPDATE SET tickets = ticket_status_counts.tickets + EXCLUDED.tickets",
            )
            .execute(pool)
            .await?;
        }
        Ok(())
    }

    /// Merges the word index's pending entries into it (PostgreSQL; nothing to do
    /// on SQLite). New tickets' words go to GIN's pending list, a cheap append;
    /// the server calls this every 100 ms, so that the list stays short for
    /// searches, which scan it whole, and no create finds it full and has to
    /// merge it while holding up its statement (migration 0016).
    pub async fn merge_pending_word_entries(&self) -> StoreResult<()> {
        if let Db::Postgres(pool) = self {
            sqlx::query("SELECT gin_clean_pending_list('tickets_search_blocks'::regclass)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Per status, how many tickets match. Filtered by nothing but the branch, the
    /// kept counts answer exactly. Otherwise each status counts at most `cap`
    /// tickets, so the list's tabs cost the same on a million rows as on a hundred;
    /// and a word search counts only its newest `cap` matches, whatever their
    /// status, in one walk (a walk per status would visit each status's tickets, or
    /// on PostgreSQL intersect the GIN index's large posting lists once per status).
    ///
    /// `first_page` is the filter's first page as the list just read it, newest
    /// first, if the caller has it. A word search with no status chosen counts
    /// exactly the matches that page starts with; where the backend counts no
    /// more than the page holds (50 of a page of 51), the counts are
    /// read off the page instead of walking the same matches again.
    pub async fn count_tickets_by_status_capped(
        &self,
        filter: &TicketFilter,
        cap: i64,
        first_page: Option<FirstPage<'_>>,
    ) -> StoreResult<(Vec<(i64, i64)>, CountBound)> {
        if let Some(kept) = filter.kept_counts() {
            return Ok((self.kept_status_counts(&kept).await?, CountBound::Exact));
        }
        let mut without_status = filter.clone();
        without_status.status = None;
        let (from, key) = without_status.source(self.backend());
        let mut args = Vec::new();
        if matches!(without_status.search, Some(TicketSearch::Words(_))) {
            let cap = cap.min(WORD_COUNT_CAP);
            if filter.status.is_none()
                && let Some(counted) = first_page.and_then(|page| page.status_counts(cap))
            {
                return Ok(counted);
            }
            let sql = match without_status.postgres_block_expression(self.backend()) {
                Some(blocks) => {
                    let conditions = without_status
                        .without_search()
                        .where_clause(self.backend(), &mut args);
                    args.push(Arg::Text(blocks));
                    format!(
                        "SELECT t.id_status, COUNT(*) FROM ({matches}) AS m JOIN tickets t ON t.id = m.id \
                         GROUP BY t.id_status ORDER BY t.id_status",
                        matches = postgres_word_matches(
                            &format!("${}", args.len()),
                            &conditions,
                            None,
                            cap
                        )
                    )
                }
                None => {
                    let conditions = without_status.where_clause(self.backend(), &mut args);
                    format!(
                        "SELECT id_status, COUNT(*) FROM (SELECT t.id_status FROM {from} WHERE {conditions} \
                         ORDER BY {key} DESC LIMIT {cap}) AS matched GROUP BY id_status ORDER BY id_status"
                    )
                }
            };
            let mut counts: Vec<(i64, i64)> =
                self.fetch_filtered(&without_status, &sql, &args).await?;
            let seen: i64 = counts.iter().map(|(_, count)| count).sum();
            let bound = if seen >= cap {
                CountBound::AtLeast
            } else {
                CountBound::Exact
            };
            if bound == CountBound::AtLeast
                && let (Some(status), Some(page)) = (filter.status, first_page)
            {
                page.raise_to_shown(status, &mut counts);
            }
            return Ok((counts, bound));
        }
        let conditions = without_status.where_clause(self.backend(), &mut args);
        // One statement of a capped count per status (the filter's binds shared).
        // Newest first, as the list reads them: the planner then walks an index
        // on (…, status, id) for at most `cap` rows rather than scanning the table
        // until `cap` rows of a rare status turn up.
        let sql = TicketStatus::ALL
            .iter()
            .map(|status| {
                format!(
                    "SELECT CAST({id} AS BIGINT) AS id_status, (SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {conditions} \
                     AND t.id_status = {id} ORDER BY {key} DESC LIMIT {cap}) AS capped) AS matched",
                    id = status.id()
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let counts = self.fetch_filtered(&without_status, &sql, &args).await?;
        Ok((counts, CountBound::CappedAt(cap)))
    }

    /// Applies one change and appends its event, in one transaction. A status change
    /// applies only if the ticket is still in `from` (a concurrent change is a conflict).
    pub async fn change_ticket(
        &self,
        id: TicketId,
        change: &TicketChange,
        actor: Option<UserId>,
        actor_label: &str,
    ) -> StoreResult<()> {
        let actor = Actor {
            user: actor,
            api_account: None,
            label: actor_label.to_owned(),
        };
        self.change_ticket_many(id, std::slice::from_ref(change), &[], &actor, None)
            .await
    }

    /// Applies several changes and records files, each with its timeline event, all in
    /// one transaction: either everything lands or nothing does.
    pub async fn change_ticket_many(
        &self,
        id: TicketId,
        changes: &[TicketChange],
        files: &[NewFile],
        actor: &Actor,
        receipt: Option<&str>,
    ) -> StoreResult<()> {
        let now = Utc::now();
        let payload = super::outbox::change_payload(changes);
        let payload = serde_json::Value::Object(payload.clone()).to_string();
        let crosses = !super::outbox::change_payload(changes).is_empty() || !files.is_empty();
        let steps: Vec<(TicketUpdate, TimelineEntry)> =
            changes.iter().map(|change| change.to_update(now)).collect();
        // The content is among the words a ticket is found by.
        let rewords = changes
            .iter()
            .any(|change| matches!(change, TicketChange::Content(_)));
        let sqlite = self.backend() == Backend::Sqlite;
        let changed = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut changed = true;
            for (update, event) in &steps {
                if let Some((sql, args)) = update {
                    let result = bind_args!(sqlx::query(sql).bind(id), args)
                        .execute(&mut *tx)
                        .await?;
                    if result.rows_affected() != 1 {
                        changed = false;
                        break;
                    }
                }
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, from_value, to_value, body, internal, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(event.kind)
                .bind(actor.user)
                .bind(actor.api_account)
                .bind(&actor.label)
                .bind(&event.from)
                .bind(&event.to)
                .bind(&event.body)
                .bind(event.internal)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if !changed {
                tx.rollback().await?;
                return Err(StoreError::Conflict);
            }
            if rewords {
                reindex_words(&mut tx, id, sqlite).await?;
            }
            let mut attachments = Vec::with_capacity(files.len());
            for file in files {
                attachments.push(insert_file(&mut tx, id, file, actor, now).await?);
            }
            if let (Some(key), Some(account)) = (receipt, actor.api_account) {
                sqlx::query(
                    "INSERT INTO api_receipts (api_account_id, idempotency_key, ticket_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(account)
                .bind(key)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if crosses {
                super::outbox::enqueue(
                    &mut tx,
                    id,
                    "update",
                    &payload,
                    &attachments,
                    actor.api_account,
                    now,
                )
                .await?;
            }
            sqlx::query("UPDATE tickets SET updated_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        })?;
        if changed {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }
}

/// Records a stored file on a ticket with its timeline event, inside `tx`.
async fn insert_file<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    ticket: TicketId,
    file: &NewFile,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> TicketId: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<UserId>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
{
    let attachment: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_attachments (ticket_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_by_api_account_id, purpose, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(ticket)
    .bind(file.file_name.as_str())
    .bind(file.content_type.as_str())
    .bind(file.size_bytes)
    .bind(file.sha256.as_str())
    .bind(actor.user)
    .bind(actor.api_account)
    .bind(file.purpose.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, body, created_at) \
         VALUES ($1, 'attachment', $2, $3, $4, $5, $6)",
    )
    .bind(ticket)
    .bind(actor.user)
    .bind(actor.api_account)
    .bind(actor.label.as_str())
    .bind(file.file_name.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(attachment)
}

/// Folds a ticket's words again from its stored fields (after its content changed)
/// and, on SQLite, replaces its word-index entry; PostgreSQL's index is generated
/// from `search_text`.
async fn reindex_words<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    id: TicketId,
    sqlite: bool,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'r> TicketWords: sqlx::FromRow<'r, <DB as sqlx::Database>::Row>,
    for<'q> TicketId: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let words: TicketWords = sqlx::query_as(
        "SELECT feedback_code, contact_code, customer_phone, customer_name, customer_address, \
         reporter_name, content FROM tickets WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE tickets SET search_text = $2 WHERE id = $1")
        .bind(id)
        .bind(fold_ticket_words(
            words.feedback_code.as_deref().unwrap_or_default(),
            words.contact_code.as_ref(),
            words.customer_phone.as_ref(),
            &words.customer_name,
            &words.customer_address,
            &words.reporter_name,
            &words.content,
        ))
        .execute(&mut **tx)
        .await?;
    if sqlite {
        sqlx::query("DELETE FROM ticket_search WHERE rowid = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(&SQLITE_INDEX_TICKET_WORDS)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What [`reindex_words`] folds a ticket's words from.
#[derive(sqlx::FromRow)]
struct TicketWords {
    feedback_code: Option<String>,
    contact_code: Option<ContractCode>,
    customer_phone: Option<Phone>,
    customer_name: String,
    customer_address: String,
    reporter_name: String,
    content: String,
}

/// The UPDATE a change runs (binds after the ticket id), if any.
type TicketUpdate = Option<(&'static str, Vec<Arg>)>;

/// The timeline event a change appends.
struct TimelineEntry {
    kind: &'static str,
    from: String,
    to: String,
    body: String,
    internal: bool,
}

impl TimelineEntry {
    fn new(kind: &'static str, from: String, to: String, body: String) -> TimelineEntry {
        TimelineEntry {
            kind,
            from,
            to,
            body,
            internal: false,
        }
    }
}

impl TicketChange {
    fn to_update(&self, now: DateTime<Utc>) -> (TicketUpdate, TimelineEntry) {
        match self {
            TicketChange::Status { from, to } => (
                Some((
                    "UPDATE tickets SET id_status = $2, updated_at = $3 WHERE id = $1 AND id_status = $4",
                    vec![Arg::I64(*to), Arg::Time(now), Arg::I64(*from)],
                )),
                TimelineEntry::new("status", from.to_string(), to.to_string(), String::new()),
            ),
            TicketChange::Assign {
                department,
                assignee,
                label,
            } => (
                Some((
                    "UPDATE tickets SET id_process_unit = $2, assignee_user_id = $3, updated_at = $4 WHERE id = $1",
                    vec![
                        Arg::OptI64(*department),
                        Arg::OptI64(assignee.map(|user| user.0)),
                        Arg::Time(now),
                    ],
                )),
                TimelineEntry::new("assign", String::new(), label.clone(), String::new()),
            ),
            TicketChange::Priority(priority) => (
                Some((
                    "UPDATE tickets SET id_priority = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::I64(*priority), Arg::Time(now)],
                )),
                TimelineEntry::new(
                    "priority",
                    String::new(),
                    priority.to_string(),
                    String::new(),
                ),
            ),
            TicketChange::Due(due) => (
                Some((
                    "UPDATE tickets SET date_due = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::OptTime(*due), Arg::Time(now)],
                )),
                TimelineEntry::new(
                    "due",
                    String::new(),
                    due.map(|due| due.to_rfc3339()).unwrap_or_default(),
                    String::new(),
                ),
            ),
            TicketChange::Solution(text) => (
                Some((
                    "UPDATE tickets SET solution = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::Text(text.clone()), Arg::Time(now)],
                )),
                TimelineEntry::new("solution", String::new(), String::new(), text.clone()),
            ),
            TicketChange::Content(text) => (
                Some((
                    "UPDATE tickets SET content = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::Text(text.clone()), Arg::Time(now)],
                )),
                TimelineEntry::new("content", String::new(), String::new(), text.clone()),
            ),
            TicketChange::RequestType(id_type) => (
                Some((
                    "UPDATE tickets SET id_type = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::I64(*id_type), Arg::Time(now)],
                )),
                TimelineEntry::new("type", String::new(), id_type.to_string(), String::new()),
            ),
            TicketChange::Department(department) => (
                Some((
                    "UPDATE tickets SET id_process_unit = $2, updated_at = $3 WHERE id = $1",
                    vec![Arg::OptI64(*department), Arg::Time(now)],
                )),
                TimelineEntry::new(
                    "department",
                    String::new(),
                    department.map(|d| d.to_string()).unwrap_or_default(),
                    String::new(),
                ),
            ),
            TicketChange::Note { body } => (
                None,
                TimelineEntry {
                    kind: "note",
                    from: String::new(),
                    to: String::new(),
                    body: body.clone(),
                    internal: true,
                },
            ),
        }
    }
}

impl Db {
    /// Hours the SLA table allows for a request type and priority.
    pub async fn sla_hours(&self, id_type: i64, id_priority: i64) -> StoreResult<Option<i64>> {
        let sql = "SELECT hours FROM sla_rules WHERE id_type = $1 AND id_priority = $2";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id_type)
            .bind(id_priority)
            .fetch_optional(pool)
            .await)?)
    }

    /// The contract and its customer, for the new-ticket form's lookup.
    pub async fn contract_with_customer(
        &self,
        code: &ContractCode,
    ) -> StoreResult<Option<ContractLookup>> {
        let sql = "SELECT c.code, c.branch_code, c.address, c.ward_code, c.district_code, c.customer_type, \
                   cu.id AS customer_id, cu.name AS customer_name, cu.phone AS customer_phone, cu.email AS customer_email \
                   FROM contracts c LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.code = $1";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(code)
            .fetch_optional(pool)
            .await)?)
    }

    /// Active staff who may be assigned tickets of `branch`: its own staff and HQ staff.
    pub async fn assignable_staff(
        &self,
        branch: Option<&BranchCode>,
    ) -> StoreResult<Vec<(UserId, String)>> {
        let sql = format!(
            "SELECT id, display_name FROM staff_users WHERE {} \
             ORDER BY display_name LIMIT {ASSIGNABLE_STAFF_SHOWN}",
            assignable_staff_where("$1")
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(branch)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn create_contract(&self, contract: &NewContract<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO contracts (code, branch_code, customer_id, address, ward_code, district_code, customer_type, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(contract.code)
            .bind(contract.branch)
            .bind(contract.customer_id)
            .bind(contract.address)
            .bind(contract.ward_code)
            .bind(contract.district_code)
            .bind(contract.customer_type)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn create_customer(
        &self,
        phone: &Phone,
        name: &str,
        email: &str,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO customers (phone, name, email, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
        Ok(on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(phone)
            .bind(name)
            .bind(email)
            .bind(Utc::now())
            .fetch_one(pool)
            .await)?)
    }
}

/// A contract code with its customer, as the new-ticket form shows it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContractLookup {
    pub code: ContractCode,
    pub branch_code: BranchCode,
    pub address: String,
    pub ward_code: String,
    pub district_code: String,
    pub customer_type: i64,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<Phone>,
    pub customer_email: Option<String>,
}

/// A contract code to register.
pub struct NewContract<'a> {
    pub code: &'a ContractCode,
    pub branch: &'a BranchCode,
    pub customer_id: Option<i64>,
    pub address: &'a str,
    pub ward_code: &'a str,
    pub district_code: &'a str,
    pub customer_type: i64,
}

/// A customer as the customer page shows them.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Customer {
    pub id: i64,
    pub phone: Phone,
    pub name: String,
    pub email: String,
}

/// One contract code of a customer.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct CustomerContract {
    pub code: ContractCode,
    pub branch_code: BranchCode,
    pub address: String,
    pub ward_code: String,
    pub customer_type: i64,
    pub registered_persons: i64,
}

impl Db {
    pub async fn customer(&self, id: i64) -> StoreResult<Customer> {
        let sql = "SELECT id, phone, name, email FROM customers WHERE id = $1";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    pub async fn customer_contracts(&self, customer_id: i64) -> StoreResult<Vec<CustomerContract>> {
        let sql = "SELECT code, branch_code, address, ward_code, customer_type, registered_persons \
                   FROM contracts WHERE customer_id = $1 ORDER BY code";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer_id)
            .fetch_all(pool)
            .await)?)
    }
}

impl Db {
    /// Tickets created per Vietnam day and branch since `since` (the dashboard's trend).
    pub async fn tickets_created_per_day(
        &self,
        scope: Option<&BranchCode>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, Option<BranchCode>, i64)>> {
        let day = match self.backend() {
            Backend::Sqlite => "date(t.created_at, '+7 hours')",
            Backend::Postgres => {
                "to_char(t.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')"
            }
        };
        // On PostgreSQL the start is written into the text, so the plan fits how
        // many tickets it covers (see `TicketFilter::planned_per_value`).
        let (start, persistent) = match self.backend() {
            Backend::Sqlite => ("$2".to_owned(), true),
            Backend::Postgres => (timestamp_literal(since), false),
        };
        let sql = format!(
            "SELECT {day} AS day, t.branch_code, COUNT(*) FROM tickets t \
             WHERE t.created_at >= {start} AND ($1 IS NULL OR t.branch_code = $1) \
             GROUP BY {day}, t.branch_code ORDER BY 1, 2"
        );
        Ok(on_pool!(self, |pool| {
            let query = sqlx::query_as(&sql).persistent(persistent).bind(scope);
            match self.backend() {
                Backend::Sqlite => query.bind(since),
                Backend::Postgres => query,
            }
            .fetch_all(pool)
            .await
        })?)
    }
}

/// A file attached to a ticket.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: TicketId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// '' for the ticket, `members.N` for a quota member's id card.
    pub purpose: String,
}

/// An uploaded file to record, already stored by its hash.
pub struct NewAttachment<'a> {
    pub ticket: TicketId,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub actor: UserId,
    pub actor_label: &'a str,
}

impl Db {
    /// Records an attachment and its timeline event in one transaction.
    pub async fn add_attachment(&self, new: &NewAttachment<'_>) -> StoreResult<i64> {
        let now = Utc::now();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ticket_attachments (ticket_id, file_name, content_type, size_bytes, sha256, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(new.ticket)
            .bind(new.file_name)
            .bind(new.content_type)
            .bind(new.size_bytes)
            .bind(new.sha256)
            .bind(new.actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_label, body, created_at) \
                 VALUES ($1, 'attachment', $2, $3, $4, $5)",
            )
            .bind(new.ticket)
            .bind(new.actor)
            .bind(new.actor_label)
            .bind(new.file_name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            super::outbox::enqueue(&mut tx, new.ticket, "update", "{}", &[id], None, now).await?;
            sqlx::query("UPDATE tickets SET updated_at = $2 WHERE id = $1")
                .bind(new.ticket)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?;
        Ok(id)
    }

    pub async fn ticket_attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        let sql = "SELECT id, ticket_id, file_name, content_type, size_bytes, sha256, created_at, purpose \
                   FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(ticket)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn attachment(&self, id: i64) -> StoreResult<Attachment> {
        let sql = "SELECT id, ticket_id, file_name, content_type, size_bytes, sha256, created_at, purpose \
                   FROM ticket_attachments WHERE id = $1";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }
}

impl Db {
    /// The SLA table: (id_type, id_priority, hours).
    pub async fn sla_rules(&self) -> StoreResult<Vec<(i64, i64, i64)>> {
        let sql = "SELECT id_type, id_priority, hours FROM sla_rules ORDER BY id_type, id_priority";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .fetch_all(pool)
            .await)?)
    }

    /// Replaces SLA hours, all in one transaction.
    pub async fn set_sla_rules(&self, rules: &[(i64, i64, i64)]) -> StoreResult<()> {
        let sql = "INSERT INTO sla_rules (id_type, id_priority, hours) VALUES ($1, $2, $3) \
                   ON CONFLICT (id_type, id_priority) DO UPDATE SET hours = $3";
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (id_type, id_priority, hours) in rules {
                sqlx::query(sql)
                    .bind(id_type)
                    .bind(id_priority)
                    .bind(hours)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }
}

/// A ticket an API client knows by its own id.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExternalTicket {
    pub id: TicketId,
    pub request_digest: String,
}

/// A contract linked to a phone, for the customer app.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct PhoneContract {
    pub code: ContractCode,
    pub branch_code: BranchCode,
    pub customer_name: String,
    pub address: String,
    pub ward_code: String,
    pub district_code: String,
    pub customer_type: i64,
    pub use_purpose: String,
    pub registered_persons: i64,
}

impl Db {
    /// The ticket an API account created under its own `id_feedback`.
    pub async fn ticket_by_external_id(
        &self,
        api_account: i64,
        external_id: &str,
    ) -> StoreResult<Option<ExternalTicket>> {
        let sql =
            "SELECT id, request_digest FROM tickets WHERE api_account_id = $1 AND external_id = $2";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(api_account)
            .bind(external_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// A customer's tickets by phone (and contract code), newest first, for the app.
    pub async fn tickets_of_phone(
        &self,
        phone: &Phone,
        contract: Option<&ContractCode>,
        branch: Option<&BranchCode>,
        before: Option<TicketId>,
        limit: i64,
    ) -> StoreResult<Vec<Ticket>> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t LEFT JOIN staff_users u ON u.id = t.assignee_user_id \
             WHERE t.customer_phone = $1 AND ($2 IS NULL OR t.contact_code = $2) AND ($3 IS NULL OR t.branch_code = $3) \
             AND ($4 IS NULL OR t.id < $4) ORDER BY t.id DESC LIMIT $5"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(phone)
            .bind(contract)
            .bind(branch)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await)?)
    }

    /// The contracts whose customer has this phone.
    pub async fn contracts_of_phone(
        &self,
        phone: &Phone,
        branch: Option<&BranchCode>,
    ) -> StoreResult<Vec<PhoneContract>> {
        let sql = "SELECT c.code, c.branch_code, cu.name AS customer_name, c.address, c.ward_code, c.district_code, \
                   c.customer_type, c.use_purpose, c.registered_persons \
                   FROM customers cu JOIN contracts c ON c.customer_id = cu.id \
                   WHERE cu.phone = $1 AND ($2 IS NULL OR c.branch_code = $2) ORDER BY c.code";
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(phone)
            .bind(branch)
            .fetch_all(pool)
            .await)?)
    }
}

impl Db {
    /// Moves a ticket from `from` (`None`: unrouted) to another branch, with the
    /// reason on the timeline, in one transaction: the new branch's TCRM is sent
    /// the ticket, and the old one's (if it had it) is told to cancel its copy.
    /// The ticket goes back to New: the new branch's work starts afresh.
    /// `Conflict` when the ticket is no longer at `from`.
    pub async fn reroute_ticket(
        &self,
        id: TicketId,
        from: Option<&BranchCode>,
        to: &BranchCode,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = Utc::now();
        let cancel = serde_json::json!({
            "id_status": TicketStatus::Cancelled.id(),
            "note": format!("Chuyển sang đơn vị {to}: {reason}"),
        })
        .to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let moved = sqlx::query(
                "UPDATE tickets SET branch_code = $2, id_status = $5, updated_at = $3 \
                 WHERE id = $1 AND (branch_code = $4 OR (branch_code IS NULL AND $4 IS NULL))",
            )
            .bind(id)
            .bind(to)
            .bind(now)
            .bind(from)
            .bind(TicketStatus::New.id())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                tx.rollback().await?;
                return Err(StoreError::Conflict);
            }
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, kind, actor_user_id, actor_api_account_id, actor_label, from_value, to_value, body, internal, created_at) \
                 VALUES ($1, 'reroute', $2, $3, $4, $5, $6, $7, FALSE, $8)",
            )
            .bind(id)
            .bind(actor.user)
            .bind(actor.api_account)
            .bind(&actor.label)
            .bind(from.map_or("", BranchCode::as_str))
            .bind(to)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // The old branch's TCRM cancels its copy, if HQ had sent it one.
            sqlx::query(
                "INSERT INTO outbox_messages (peer, ticket_id, kind, payload, attachment_ids, state, attempts, next_attempt_at, created_at) \
                 SELECT $2, $1, 'update', $3, '[]', 'pending', 0, $4, $4 WHERE EXISTS \
                 (SELECT 1 FROM outbox_messages WHERE ticket_id = $1 AND peer = $2 AND kind = 'create')",
            )
            .bind(id)
            .bind(from)
            .bind(&cancel)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let files: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            super::outbox::enqueue(&mut tx, id, "create", "{}", &files, actor.api_account, now)
                .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(statuses: &[i64]) -> Vec<TicketListItem> {
        statuses
            .iter()
            .enumerate()
            .map(|(index, status)| TicketListItem {
                id: TicketId(1000 - index as i64),
                feedback_code: None,
                branch_code: None,
                id_type: 1,
                id_status: *status,
                id_priority: 1,
                id_process_unit: None,
                assignee_name: None,
                source: "staff".into(),
                contact_code: None,
                customer_name: String::new(),
                customer_phone: None,
                customer_address: String::new(),
                date_due: None,
                created_at: Utc::now(),
            })
            .collect()
    }

    #[test]
    fn a_first_page_counts_what_it_holds_up_to_the_cap() {
        // Fewer rows than asked for: every match is on the page, counted exactly.
        let short = rows(&[3, 1, 3]);
        let page = FirstPage {
            rows: &short,
            limit: 5,
        };
        assert_eq!(
            page.status_counts(50),
            Some((vec![(1, 1), (3, 2)], CountBound::Exact))
        );
        // A full page counts its newest `cap` rows, a lower bound.
        let full = rows(&[2, 2, 5, 1, 1]);
        let page = FirstPage {
            rows: &full,
            limit: 5,
        };
        assert_eq!(
            page.status_counts(4),
            Some((vec![(1, 1), (2, 2), (5, 1)], CountBound::AtLeast))
        );
        // A complete page holding exactly `cap` matches: as a walk capped there reads.
        assert_eq!(
            FirstPage {
                rows: &full,
                limit: 6
            }
            .status_counts(5),
            Some((vec![(1, 2), (2, 2), (5, 1)], CountBound::AtLeast))
        );
        // A full page shorter than the cap cannot say what lies beyond it.
        assert_eq!(page.status_counts(6), None);
    }

    #[test]
    fn a_chosen_status_counts_at_least_what_its_page_shows() {
        // A full page of status 4 (one row more than a page): a page's worth.
        let full = rows(&[4, 4, 4, 4, 4]);
        let page = FirstPage {
            rows: &full,
            limit: 5,
        };
        let mut counts = vec![(1, 3), (5, 2)];
        page.raise_to_shown(4, &mut counts);
        assert_eq!(counts, [(1, 3), (4, 4), (5, 2)]);
        // A count already above what the page shows stays.
        let mut counts = vec![(4, 9)];
        page.raise_to_shown(4, &mut counts);
        assert_eq!(counts, [(4, 9)]);
        // An empty page adds nothing.
        let mut counts = vec![(1, 3)];
        FirstPage {
            rows: &[],
            limit: 5,
        }
        .raise_to_shown(4, &mut counts);
        assert_eq!(counts, [(1, 3)]);
    }
}
