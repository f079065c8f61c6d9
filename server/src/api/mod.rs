//! The partner REST API of the seed (chapters IV–V): token sign-in, tickets of
//! every request kind created and updated by member companies' software and the
//! customer app, the app's reads, and notifications to the app's inbox.

pub mod auth;
pub mod error;
pub mod feedback;
pub mod fields;
pub mod notifications;
pub mod openapi;
pub mod payload;
pub mod reads;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use tcrm_app::api_accounts::TokenOwners;
use tcrm_app::state::AppState;
use tcrm_app::store::Db;
use tcrm_app::store::reference::LookupTable;
use tokio::sync::RwLock;

/// What the API handlers reach: the database, the attachment store, and the
/// reference ids (cached briefly: every create checks several of them).
#[derive(Clone)]
pub struct ApiState {
    pub db: Db,
    pub attachments_dir: PathBuf,
    reference: Arc<RwLock<Option<CachedReference>>>,
    /// Token owners read a moment ago: every call checks its token.
    pub token_owners: Arc<TokenOwners>,
}

/// Reference ids and when they were read.
type CachedReference = (Instant, Arc<Reference>);

/// The reference ids a payload is checked against.
#[derive(Debug, Default)]
pub struct Reference {
    pub request_types: HashSet<i64>,
    pub departments: HashSet<i64>,
    pub categories: HashSet<i64>,
    /// Service component → its category.
    pub components: HashMap<i64, i64>,
    /// Service reason → its component.
    pub reasons: HashMap<i64, i64>,
    /// SLA hours per (request type, priority).
    pub sla_hours: HashMap<(i64, i64), i64>,
}

impl Reference {
    pub fn describe(ids: &HashSet<i64>) -> String {
        let mut sorted: Vec<i64> = ids.iter().copied().collect();
        sorted.sort_unstable();
        sorted
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How long reference ids and SLA hours are trusted before they are read again
/// (admins may edit them).
const REFERENCE_TTL: Duration = Duration::from_secs(30);

impl ApiState {
    pub fn new(app: &AppState) -> ApiState {
        ApiState {
            db: app.db.clone(),
            attachments_dir: app.attachments_dir.clone(),
            reference: Arc::new(RwLock::new(None)),
            token_owners: Arc::default(),
        }
    }

    pub async fn reference(&self) -> Result<Arc<Reference>, error::ApiError> {
        if let Some((loaded, reference)) = self.reference.read().await.as_ref()
            && loaded.elapsed() < REFERENCE_TTL
        {
            return Ok(reference.clone());
        }
        let ids = |entries: Vec<tcrm_app::store::reference::LookupEntry>| {
            entries.into_iter().map(|e| e.id).collect::<HashSet<i64>>()
        };
        let parents = |entries: Vec<tcrm_app::store::reference::LookupEntry>| {
            entries
                .into_iter()
                .map(|e| (e.id, e.parent_id.unwrap_or_default()))
                .collect::<HashMap<i64, i64>>()
        };
        let reference = Arc::new(Reference {
            request_types: ids(self.db.list_lookup(LookupTable::RequestTypes).await?),
            departments: ids(self.db.list_lookup(LookupTable::Departments).await?),
            categories: ids(self.db.list_lookup(LookupTable::ServiceCategories).await?),
            components: parents(self.db.list_lookup(LookupTable::ServiceComponents).await?),
            reasons: parents(self.db.list_lookup(LookupTable::ServiceReasons).await?),
            sla_hours: self
                .db
                .sla_rules()
                .await?
                .into_iter()
                .map(|(id_type, priority, hours)| ((id_type, priority), hours))
                .collect(),
        });
        *self.reference.write().await = Some((Instant::now(), reference.clone()));
        Ok(reference)
    }
}

/// The API's routes, outside the portal's session and page middleware.
pub fn router(app: &AppState) -> Router<AppState> {
    let state = ApiState::new(app);
    Router::new()
        .route("/apiv1/auth", get(auth::sign_in))
        .route("/apiv2/v3/feedback/create", post(feedback::create))
        .route("/apiv2/ntw/feedback/update", post(feedback::update))
        .route("/apiv2/v3/feedback/list", get(reads::list_tickets))
        .route("/apiv2/v3/feedback/view", get(reads::view_ticket))
        .route("/apiv2/v3/customer/contracts", get(reads::contracts))
        .route(
            "/apiv2/wasuco/notification/create",
            post(notifications::create),
        )
        .route("/apiv2/wasuco/notification/list", get(notifications::list))
        .route(
            "/apiv2/wasuco/notification/unread-count",
            get(notifications::unread_count),
        )
        .route(
            "/apiv2/wasuco/notification/read",
            post(notifications::mark_read),
        )
        .route("/apiv2/openapi.json", get(openapi::document))
        .route("/apiv1/{*rest}", any(not_found))
        .route("/apiv2/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(payload::MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found() -> error::ApiError {
    error::ApiError::NotFound("No such API endpoint.".into())
}
