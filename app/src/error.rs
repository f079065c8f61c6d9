//! The one application error: what a server fn, page or API handler may answer.
//!
//! Policy: plumbing errors carry `anyhow` context and are logged once, where they
//! are turned into [`AppError::Internal`]; the user only ever sees a translated
//! message chosen by the variant, never the internal detail.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Key;
use crate::store::StoreError;

/// One field's problem, shown next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: Key,
    /// Extra detail (for instance the allowed values), already safe to show.
    pub detail: Option<String>,
}

/// Every field problem of one submitted form, plus what was typed (never passwords),
/// so a form posted without JavaScript comes back filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub fields: Vec<FieldError>,
    pub values: Vec<(String, String)>,
}

impl FormErrors {
    pub fn add(&mut self, field: &str, message: Key) {
        self.fields.push(FieldError {
            field: field.to_owned(),
            message,
            detail: None,
        });
    }

    pub fn add_with_detail(&mut self, field: &str, message: Key, detail: impl Into<String>) {
        self.fields.push(FieldError {
            field: field.to_owned(),
            message,
            detail: Some(detail.into()),
        });
    }

    pub fn keep(&mut self, field: &str, value: &str) {
        self.values.push((field.to_owned(), value.to_owned()));
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.fields.iter().find(|error| error.field == field)
    }

    pub fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// `Ok(())` when nothing was wrong, the validation error otherwise.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
}

/// What went wrong, in terms a user (or an API client) can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FormErrors),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("sign-in locked for {retry_after_secs} s")]
    LockedOut { retry_after_secs: u64 },
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Someone else changed the same thing first.
    #[error("conflict")]
    Conflict,
    /// The request itself could not be read (a malformed form or payload).
    #[error("bad request")]
    BadRequest,
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// A validation error on a single field.
    pub fn field(field: &str, message: Key) -> AppError {
        let mut errors = FormErrors::default();
        errors.add(field, message);
        AppError::Validation(errors)
    }

    pub fn http_status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::InvalidCredentials | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to the user for this error (field errors are shown by their fields).
    pub fn message_key(&self) -> Key {
        match self {
            AppError::Validation(_) => Key::ErrValidation,
            AppError::InvalidCredentials => Key::ErrInvalidCredentials,
            AppError::LockedOut { .. } => Key::ErrLockedOut,
            AppError::Unauthenticated => Key::ErrUnauthenticated,
            AppError::Forbidden => Key::ErrForbidden,
            AppError::NotFound => Key::ErrNotFound,
            AppError::Conflict => Key::ErrConflict,
            AppError::BadRequest => Key::ErrBadRequest,
            AppError::Internal => Key::ErrInternal,
        }
    }

    pub fn form_errors(&self) -> Option<&FormErrors> {
        match self {
            AppError::Validation(errors) => Some(errors),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => AppError::Conflict,
            other => {
                tracing::error!(error = ?other, "store error");
                AppError::Internal
            }
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            other => {
                tracing::error!(error = %other, "server function failure");
                AppError::Internal
            }
        }
    }
}
