//! Who is asking, resolved once per request by [`identify`] and read everywhere else.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::auth::{AuthSession, CurrentUser, resolve_current_user};
use crate::domain::Language;
use crate::error::AppError;
use crate::state::AppState;

/// The cookie that remembers the language of a visitor who has not signed in.
pub const LANGUAGE_COOKIE: &str = "tcrm_lang";

/// The request's signed-in user (if any), language and client address.
#[derive(Clone, Debug)]
pub struct RequestIdentity {
    pub user: Option<CurrentUser>,
    pub language: Language,
    pub address: Option<IpAddr>,
}

fn cookie_language(request: &Request) -> Option<Language> {
    request
        .headers()
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANGUAGE_COOKIE)
        .map(|(_, value)| Language::from_code(value))
}

/// Paths a visitor may open without signing in.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/api/")
        || path.starts_with("/apiv")
        || path.starts_with("/assets/")
        || path == "/healthz"
        || path == "/favicon.svg"
}

/// Paths a user who must change their password may still open.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/account" || path.starts_with("/api/") || path.starts_with("/assets/")
}

/// Axum middleware: resolves the session's account and language, and sends visitors
/// who are not signed in (or must change their password) to the right page.
pub async fn identify(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let user = resolve_current_user(&state.db, &state.signed_in, &AuthSession::new(session)).await;
    let language = user
        .as_ref()
        .map(|user| user.language)
        .or_else(|| cookie_language(&request))
        .unwrap_or_default();
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let path = request.uri().path().to_owned();
    let is_page = request.method() == http::Method::GET;
    match &user {
        None if is_page && !is_public(&path) => {
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |value| value.as_str());
            let next = url_encode(target);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        Some(user)
            if is_page && user.must_change_password && !allowed_before_password_change(&path) =>
        {
            return Redirect::to("/account").into_response();
        }
        _ => {}
    }
    request.extensions_mut().insert(RequestIdentity {
        user,
        language,
        address,
    });
    crate::i18n::InLanguage::new(language, next.run(request)).await
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Only a local path is a safe place to send someone after sign-in.
/// An id from a path or a form: a whole number, or the thing does not exist for
/// this user (404), whatever was typed.
pub fn id_param(value: &str) -> Result<i64, AppError> {
    value.trim().parse().map_err(|_| AppError::NotFound)
}

pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/api/")
    {
        next
    } else {
        "/"
    }
}

/// Reads something of the request being rendered, in place: `use_context`
/// would clone its every header and extension first.
pub fn with_request<T>(read: impl FnOnce(&http::request::Parts) -> Option<T>) -> Option<T> {
    with_context::<http::request::Parts, _>(read).flatten()
}

/// The identity resolved for this request (empty outside a request).
pub fn identity() -> RequestIdentity {
    with_request(|parts| parts.extensions.get::<RequestIdentity>().cloned()).unwrap_or(
        RequestIdentity {
            user: None,
            language: Language::default(),
            address: None,
        },
    )
}

/// The signed-in user, or `Unauthenticated`.
pub fn require_user() -> Result<CurrentUser, AppError> {
    identity().user.ok_or(AppError::Unauthenticated)
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

pub fn auth_session() -> Result<AuthSession, AppError> {
    with_request(|parts| parts.extensions.get::<Session>().cloned())
        .map(AuthSession::new)
        .ok_or_else(|| {
            tracing::error!("session missing from the request");
            AppError::Internal
        })
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_local_paths() {
        assert_eq!(safe_next("/admin/users?x=1"), "/admin/users?x=1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
    }

    #[test]
    fn url_encode_keeps_paths_readable() {
        assert_eq!(url_encode("/admin/users?q=a b"), "/admin/users%3Fq%3Da%20b");
    }
}
