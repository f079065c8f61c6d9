//! The OpenAPI document, generated from the handlers' and types' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "TCRM partner API",
        description = "The REST API of SAWACO's TCRM (seed chapters IV–V). Sign in once with GET /apiv1/auth (HTTP Basic), keep the access token and send it as `Authorization: Bearer <token>` (or inside HTTP Basic) until it is refused with 401 — a password change revokes every token of the account. Signing in before every call is throttled (429 with Retry-After). Errors are JSON: {name, message, code: 0, status, errors: {field: what is allowed}}.",
        version = "1.0.0"
    ),
    paths(
        super::auth::sign_in,
        super::feedback::create,
        super::feedback::update,
        super::reads::list_tickets,
        super::reads::view_ticket,
        super::reads::contracts,
        super::notifications::create,
        super::notifications::list,
        super::notifications::unread_count,
        super::notifications::mark_read,
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Token sign-in"),
        (name = "feedback", description = "Tickets (phiếu yêu cầu)"),
        (name = "customers", description = "What the customer app reads"),
        (name = "notifications", description = "The customer app's inbox"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "basic_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
    }
}

/// The document as JSON.
pub fn document_json() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// `GET /apiv2/openapi.json`.
pub async fn document() -> Json<serde_json::Value> {
    Json(document_json())
}
