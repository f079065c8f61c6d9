//! One file per page, with the server functions its forms post to.

pub mod account;
pub mod api_account_edit;
pub mod api_accounts;
pub mod api_docs;
pub mod branch_settings;
pub mod customer;
pub mod forbidden;
pub mod home;
pub mod login;
pub mod not_found;
pub mod reading_schedules;
pub mod reference;
pub mod sla;
pub mod sync;
pub mod ticket_common;
pub mod ticket_new;
pub mod ticket_page;
pub mod tickets;
pub mod user_edit;
pub mod users;

use leptos::prelude::*;

/// A query parameter of the current page (its last value when repeated), read
/// from the request's URI in place: the router's query map is a reactive memo
/// cloned whole on each read.
pub fn query_param(name: &str) -> Option<String> {
    crate::request::with_request(|parts| {
        let query = parts.uri.query()?;
        form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == name)
            .last()
            .map(|(_, value)| value.into_owned())
    })
}

/// The page content, or the message of the error that kept it from loading.
pub fn or_error_banner(result: Result<AnyView, crate::error::AppError>) -> AnyView {
    match result {
        Ok(view) => view,
        Err(error) => {
            crate::request::set_status(error.http_status());
            view! { <crate::components::ErrorBanner error=Some(error) /> }.into_any()
        }
    }
}
