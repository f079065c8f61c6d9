//! `GET /apiv1/auth` (HTTP Basic → token) and the token check every other call makes.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use tcrm_app::api_accounts::{self, ApiSignInRefusal};
use tcrm_app::domain::{ApiAccountKind, BranchCode};

use super::ApiState;
use super::error::ApiError;

/// What `GET /apiv1/auth` answers, as the seed shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuthResponse {
    pub id_user: i64,
    pub username: String,
    pub access_token: String,
    pub email: String,
}

/// The `Authorization` header's credentials.
enum Credentials {
    Bearer(String),
    Basic { user: String, password: String },
}

fn credentials(headers: &HeaderMap) -> Option<Credentials> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(rest).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':').unwrap_or((text.as_str(), ""));
        return Some(Credentials::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        });
    }
    None
}

#[utoipa::path(
    get,
    path = "/apiv1/auth",
    tag = "auth",
    security(("basic" = [])),
    responses(
        (status = 200, description = "Signed in; keep the token and reuse it for every call", body = AuthResponse),
        (status = 401, description = "Wrong username or password", body = super::error::ErrorBody),
        (status = 429, description = "Locked after failures, or signing in far more often than needed; see Retry-After", body = super::error::ErrorBody),
    )
)]
/// Exchanges the account's username and password (HTTP Basic) for an access token.
pub async fn sign_in(
    State(state): State<ApiState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<AuthResponse>, ApiError> {
    let Some(Credentials::Basic { user, password }) = credentials(&headers) else {
        return Err(ApiError::Unauthorized(
            "Send the API account's username and password with HTTP Basic authentication.",
        ));
    };
    match api_accounts::sign_in(&state.db, &user, &password, Some(address.ip())).await {
        Ok(issued) => Ok(Json(AuthResponse {
            id_user: issued.account_id,
            username: issued.username,
            access_token: issued.access_token,
            email: issued.email,
        })),
        Err(Ok(ApiSignInRefusal::InvalidCredentials)) => {
            Err(ApiError::Unauthorized("Incorrect username or password."))
        }
        Err(Ok(ApiSignInRefusal::TooMany { retry_after_secs })) => {
            Err(ApiError::TooManyRequests { retry_after_secs })
        }
        Err(Err(error)) => Err(error.into()),
    }
}

/// The API account a request's token belongs to.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub account_id: i64,
    pub username: String,
    pub kind: ApiAccountKind,
    /// The one branch a `branch` account works on.
    pub branch: Option<BranchCode>,
}

impl ApiCaller {
    /// The branch limit of this caller's reads and writes, if any.
    pub fn scope(&self) -> Option<&BranchCode> {
        match self.kind {
            ApiAccountKind::Branch => self.branch.as_ref(),
            ApiAccountKind::App | ApiAccountKind::Hq => None,
        }
    }

    /// Whether this caller works on tickets of `branch` (`None`: unrouted, which
    /// only accounts without a branch scope see).
    pub fn covers(&self, branch: Option<&BranchCode>) -> bool {
        self.scope().is_none_or(|own| Some(own) == branch)
    }

    /// The label the timeline shows for this caller's changes.
    pub fn label(&self) -> String {
        format!("API · {}", self.username)
    }

    pub fn actor(&self) -> tcrm_app::store::tickets::Actor {
        tcrm_app::store::tickets::Actor {
            user: None,
            api_account: Some(self.account_id),
            label: self.label(),
        }
    }
}

impl FromRequestParts<ApiState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        // `Bearer <token>`, or — because the seed writes "Basic Auth: access token" —
        // the token inside HTTP Basic, as the username or as the password.
        let candidates: Vec<String> = match credentials(&parts.headers) {
            Some(Credentials::Bearer(token)) => vec![token],
            Some(Credentials::Basic { user, password }) => [password, user]
                .into_iter()
                .filter(|value| !value.is_empty())
                .collect(),
            None => {
                return Err(ApiError::Unauthorized(
                    "Missing access token: send `Authorization: Bearer <access_token>` (get one from GET /apiv1/auth).",
                ));
            }
        };
        for token in candidates {
            if let Some(owner) =
                api_accounts::token_owner(&state.db, &state.token_owners, &token).await?
            {
                return Ok(ApiCaller {
                    account_id: owner.account_id,
                    username: owner.username,
                    kind: owner.kind,
                    branch: owner.branch_code,
                });
            }
        }
        Err(ApiError::Unauthorized(
            "Invalid or revoked access token: sign in again with GET /apiv1/auth.",
        ))
    }
}
