//! `POST /apiv2/wasuco/notification/create` and the app's inbox reads.

use axum::Json;
use axum::extract::{Query, Request, State};
use serde::{Deserialize, Serialize};
use tcrm_app::domain::{ApiAccountKind, Phone};
use tcrm_app::notifications::{MAX_CONTENT, MAX_TITLE, deliver};
use tcrm_app::store::notifications::{NewNotification, Notification};

use super::ApiState;
use super::auth::ApiCaller;
use super::error::ApiError;
use super::fields::FieldReader;
use super::payload::Payload;

/// The create request as the seed writes it (keys may carry spaces: `" content"`).
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NotificationCreateRequest {
    /// Required: 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.
    pub phone_number: String,
    /// Required, at most 255 characters.
    pub title: String,
    /// At most 5000 characters.
    pub content: Option<String>,
    /// Module id (whole number).
    pub id_module: Option<i64>,
    /// Required: the app module option (text, at most 50 characters).
    pub option_module: String,
    /// SG, CL, GD, …; a branch account's own branch when omitted.
    pub branch_code: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationCreated {
    pub status: u16,
    pub id: i64,
}

#[utoipa::path(
    post,
    path = "/apiv2/wasuco/notification/create",
    tag = "notifications",
    security(("bearer" = []), ("basic_token" = [])),
    request_body(content(
        (NotificationCreateRequest = "application/json"),
        (NotificationCreateRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Stored in the phone's app inbox", body = NotificationCreated),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 422, description = "A value is wrong; nothing was stored", body = super::error::ErrorBody),
    )
)]
/// Sends a notification to the app of the customer with `phone_number`.
pub async fn create(
    State(state): State<ApiState>,
    caller: ApiCaller,
    request: Request,
) -> Result<Json<NotificationCreated>, ApiError> {
    let payload = Payload::read(request).await?;
    let mut r = FieldReader::new(payload.fields(), "");
    let phone = r.phone("phone_number");
    if phone.is_none() && !r.has("phone_number") {
        r.error(
            "phone_number",
            "required: 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx",
        );
    }
    let title = r.required_text("title", MAX_TITLE);
    let content = r.text("content", MAX_CONTENT);
    let id_module = r.int("id_module", |id| id >= 0, "a module id (whole number ≥ 0)");
    let option_module = r.required_text("option_module", 50);
    let branch = r.branch("branch_code").or_else(|| caller.scope().cloned());
    if let Some(branch) = &branch
        && !caller.covers(Some(branch))
    {
        r.error(
            "branch_code",
            format!(
                "this account sends only for {}",
                caller.scope().map(ToString::to_string).unwrap_or_default()
            ),
        );
    }
    if !r.errors.is_empty() {
        return Err(ApiError::Unprocessable(r.errors));
    }
    let item = NewNotification {
        phone,
        title,
        content,
        id_module,
        option_module,
        branch,
        sender_api_account: Some(caller.account_id),
        sender_user: None,
    };
    let ids = deliver(&state.db, std::slice::from_ref(&item)).await?;
    Ok(Json(NotificationCreated {
        status: 200,
        id: ids.first().copied().unwrap_or_default(),
    }))
}

/// Which phone's inbox, and where to continue.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct InboxQuery {
    /// 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.
    pub phone_number: Option<String>,
    /// Continue after this notification id (from `next_before`).
    pub before: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: i64,
    pub phone_number: String,
    pub title: String,
    pub content: String,
    pub id_module: Option<i64>,
    pub option_module: String,
    pub branch_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub read: bool,
}

impl From<Notification> for InboxItem {
    fn from(n: Notification) -> Self {
        InboxItem {
            id: n.id,
            phone_number: n.phone.as_str().to_owned(),
            title: n.title,
            content: n.content,
            id_module: n.id_module,
            option_module: n.option_module,
            branch_code: n.branch_code.map(|b| b.to_string()),
            created_at: n.created_at.to_rfc3339(),
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InboxPage {
    pub status: u16,
    pub items: Vec<InboxItem>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub status: u16,
    pub unread: i64,
}

/// The app's reads are for the app's backend and for HQ, not for a branch's software.
pub fn may_read_inbox(caller: &ApiCaller) -> Result<(), ApiError> {
    match caller.kind {
        ApiAccountKind::App | ApiAccountKind::Hq => Ok(()),
        ApiAccountKind::Branch => Err(ApiError::Forbidden(
            "Branch accounts send notifications; the app's inbox is read by app accounts.".into(),
        )),
    }
}

pub fn inbox_phone(value: Option<&str>) -> Result<Phone, ApiError> {
    let value = value.unwrap_or_default().trim();
    if value.is_empty() {
        return Err(ApiError::field(
            "phone_number",
            "required: 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx",
        ));
    }
    Phone::parse(value).map_err(|_| {
        ApiError::field(
            "phone_number",
            "not a Vietnamese phone number; expected 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx",
        )
    })
}

pub fn page_limit(value: Option<&str>) -> Result<i64, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(20),
        Some(text) => match text.parse::<i64>() {
            Ok(limit) if (1..=100).contains(&limit) => Ok(limit),
            _ => Err(ApiError::field("limit", "a whole number 1–100")),
        },
    }
}

pub fn cursor(value: Option<&str>, field: &str) -> Result<Option<i64>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
            ApiError::field(field, "a whole number from the previous page's next_before")
        }),
    }
}

#[utoipa::path(
    get,
    path = "/apiv2/wasuco/notification/list",
    tag = "notifications",
    params(InboxQuery),
    security(("bearer" = []), ("basic_token" = [])),
    responses(
        (status = 200, description = "The phone's notifications, newest first", body = InboxPage),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "Not an app or HQ account", body = super::error::ErrorBody),
        (status = 422, description = "A parameter is wrong", body = super::error::ErrorBody),
    )
)]
/// Lists a phone's app inbox.
pub async fn list(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(query): Query<InboxQuery>,
) -> Result<Json<InboxPage>, ApiError> {
    may_read_inbox(&caller)?;
    let phone = inbox_phone(query.phone_number.as_deref())?;
    let limit = page_limit(query.limit.as_deref())?;
    let before = cursor(query.before.as_deref(), "before")?;
    let rows = state
        .db
        .notifications_of_phone(&phone, before, limit)
        .await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|n| n.id))
        .flatten();
    Ok(Json(InboxPage {
        status: 200,
        items: rows.into_iter().map(InboxItem::from).collect(),
        next_before,
    }))
}

#[utoipa::path(
    get,
    path = "/apiv2/wasuco/notification/unread-count",
    tag = "notifications",
    params(InboxQuery),
    security(("bearer" = []), ("basic_token" = [])),
    responses(
        (status = 200, description = "How many of the phone's notifications are unread", body = UnreadCount),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "Not an app or HQ account", body = super::error::ErrorBody),
        (status = 422, description = "A parameter is wrong", body = super::error::ErrorBody),
    )
)]
/// Counts a phone's unread notifications.
pub async fn unread_count(
    State(state): State<ApiState>,
    caller: ApiCaller,
    Query(query): Query<InboxQuery>,
) -> Result<Json<UnreadCount>, ApiError> {
    may_read_inbox(&caller)?;
    let phone = inbox_phone(query.phone_number.as_deref())?;
    let unread = state.db.unread_notification_count(&phone).await?;
    Ok(Json(UnreadCount {
        status: 200,
        unread,
    }))
}

/// Which notifications to mark read.
#[derive(Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct MarkReadRequest {
    pub phone_number: String,
    /// The notification ids; omit (or send `"all": true`) to mark every one read.
    pub ids: Option<Vec<i64>>,
    pub all: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    pub status: u16,
    pub marked: u64,
}

#[utoipa::path(
    post,
    path = "/apiv2/wasuco/notification/read",
    tag = "notifications",
    security(("bearer" = []), ("basic_token" = [])),
    request_body(content((MarkReadRequest = "application/json"))),
    responses(
        (status = 200, description = "Marked read", body = MarkedRead),
        (status = 401, description = "Missing, invalid or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "Not an app or HQ account", body = super::error::ErrorBody),
        (status = 422, description = "A value is wrong", body = super::error::ErrorBody),
    )
)]
/// Marks a phone's notifications read.
pub async fn mark_read(
    State(state): State<ApiState>,
    caller: ApiCaller,
    request: Request,
) -> Result<Json<MarkedRead>, ApiError> {
    may_read_inbox(&caller)?;
    let payload = Payload::read(request).await?;
    let phone_text = payload
        .get("phone_number")
        .and_then(super::payload::as_text);
    let phone = inbox_phone(phone_text.as_deref())?;
    let ids = match payload.get("ids") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Array(items)) => {
            let mut ids = Vec::with_capacity(items.len());
            for item in items.iter().take(500) {
                match super::payload::as_text(item).and_then(|t| t.trim().parse::<i64>().ok()) {
                    Some(id) => ids.push(id),
                    None => {
                        return Err(ApiError::field(
                            "ids",
                            "a list of notification ids (whole numbers)",
                        ));
                    }
                }
            }
            Some(ids)
        }
        Some(_) => {
            return Err(ApiError::field(
                "ids",
                "a list of notification ids (whole numbers)",
            ));
        }
    };
    let marked = state
        .db
        .mark_notifications_read(&phone, ids.as_deref())
        .await?;
    Ok(Json(MarkedRead {
        status: 200,
        marked,
    }))
}
