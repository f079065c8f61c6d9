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
use leptos_router::hooks::use_query_map;

/// A query parameter of the current page.
pub fn query_param(name: &str) -> Option<String> {
    use_query_map().get_untracked().get(name)
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
