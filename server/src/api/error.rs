//! Errors of the partner API, in the shape the seed shows for `401`
//! (`{"name","message","code","status"}`) plus a per-field map where fields are at fault.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Language;

/// Field name → what is wrong and what is allowed.
pub type FieldErrors = BTreeMap<String, String>;

/// An API refusal; every variant becomes JSON in the seed's error shape.
#[derive(Debug)]
pub enum ApiError {
    Unauthorized(&'static str),
    TooManyRequests {
        retry_after_secs: u64,
    },
    Forbidden(String),
    NotFound(String),
    /// Unreadable body (not JSON, broken multipart).
    BadRequest(String),
    Conflict {
        message: String,
        id: Option<i64>,
    },
    Unprocessable(FieldErrors),
    PayloadTooLarge(String),
    Internal,
}

/// The JSON body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `Unauthorized`, `Unprocessable entity`, …
    pub name: &'static str,
    pub message: String,
    /// Always 0, as in the seed.
    pub code: i64,
    pub status: u16,
    /// Per field: what is wrong and what is allowed.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: FieldErrors,
    /// The existing ticket a conflicting `id_feedback` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

impl ApiError {
    /// One field at fault.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), message.into());
        ApiError::Unprocessable(errors)
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Unauthorized(message) => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                (*message).to_owned(),
            ),
            ApiError::TooManyRequests { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                format!(
                    "Too many sign-ins or failures; retry after {retry_after_secs} s and keep the token between calls."
                ),
            ),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, "Forbidden", message.clone()),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, "Not Found", message.clone()),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "Bad Request", message.clone())
            }
            ApiError::Conflict { message, .. } => {
                (StatusCode::CONFLICT, "Conflict", message.clone())
            }
            ApiError::Unprocessable(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unprocessable entity",
                summary(errors),
            ),
            ApiError::PayloadTooLarge(message) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large",
                message.clone(),
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                "The request could not be completed; nothing was written. Try again later."
                    .to_owned(),
            ),
        }
    }
}

fn summary(errors: &FieldErrors) -> String {
    let mut text = String::from("Invalid data: ");
    let parts: Vec<String> = errors
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect();
    text.push_str(&parts.join("; "));
    text
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, name, message) = self.parts();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let (errors, id) = match self {
            ApiError::Unprocessable(errors) => (errors, None),
            ApiError::Conflict { id, .. } => (FieldErrors::new(), id),
            _ => (FieldErrors::new(), None),
        };
        let body = ErrorBody {
            name,
            message,
            code: 0,
            status: status.as_u16(),
            errors,
            id,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tcrm\", Basic realm=\"tcrm\""),
            );
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Validation(form) => {
                let mut errors = FieldErrors::new();
                for field in form.fields {
                    let mut message = field.message.text(Language::En).to_owned();
                    if let Some(detail) = field.detail {
                        message.push_str(" Allowed: ");
                        message.push_str(&detail);
                    }
                    errors.entry(field.field).or_insert(message);
                }
                ApiError::Unprocessable(errors)
            }
            AppError::InvalidCredentials | AppError::Unauthenticated => {
                ApiError::Unauthorized("Invalid or revoked access token.")
            }
            AppError::LockedOut { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            AppError::Forbidden => ApiError::Forbidden("This account may not do that.".into()),
            AppError::NotFound => ApiError::NotFound("No such record for this account.".into()),
            AppError::Conflict => ApiError::Conflict {
                message: "The ticket changed at the same time; read it again and retry.".into(),
                id: None,
            },
            AppError::BadRequest => ApiError::BadRequest("The request could not be read.".into()),
            AppError::Internal => ApiError::Internal,
        }
    }
}

impl From<tcrm_app::store::StoreError> for ApiError {
    fn from(error: tcrm_app::store::StoreError) -> Self {
        ApiError::from(AppError::from(error))
    }
}
