//! TCRM: the staff portal of SAWACO — pages, server functions, domain and store.
//!
//! Server-rendered only: every page is HTML from the server and every form posts
//! to a server function, so the portal works with JavaScript turned off.

pub mod api_account_admin;
pub mod api_accounts;
pub mod attachments;
pub mod auth;
pub mod branch_remotes;
pub mod components;
pub mod domain;
pub mod error;
pub mod export;
pub mod federation;
pub mod format;
pub mod i18n;
pub mod notifications;
pub mod outbox_admin;
pub mod pages;
pub mod reading_schedules;
pub mod request;
pub mod secrets;
pub mod state;
pub mod store;
pub mod tickets;
pub mod users;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::i18n::{Key, t};
use crate::request::identity;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let _ = options;
    let language = identity().language;
    provide_context(language);
    view! {
        <!DOCTYPE html>
        <html lang=language.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/assets/tcrm.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The portal's routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · TCRM") />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=pages::users::UsersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users/:id") view=pages::user_edit::UserEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/api-accounts") view=pages::api_accounts::ApiAccountsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/api-accounts/:id") view=pages::api_account_edit::ApiAccountEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/sla") view=pages::sla::SlaPage ssr=SsrMode::Async />
                <Route path=path!("/admin/branches") view=pages::branch_settings::BranchSettingsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/sync") view=pages::sync::SyncPage ssr=SsrMode::Async />
                <Route path=path!("/admin/reading-schedules") view=pages::reading_schedules::ReadingSchedulesPage ssr=SsrMode::Async />
                <Route path=path!("/reference") view=pages::reference::ReferencePage ssr=SsrMode::Async />
                <Route path=path!("/api-docs") view=pages::api_docs::ApiDocsPage ssr=SsrMode::Async />
                <Route path=path!("/customers/:id") view=pages::customer::CustomerPage ssr=SsrMode::Async />
                <Route path=path!("/tickets") view=pages::tickets::TicketsPage ssr=SsrMode::Async />
                <Route path=path!("/tickets/new") view=pages::ticket_new::NewTicketPage ssr=SsrMode::Async />
                <Route path=path!("/tickets/:id") view=pages::ticket_page::TicketPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// A short text for the title bar, in the reader's language.
pub fn page_title(key: Key) -> impl IntoView {
    view! { <Title text=t(key) /> }
}
