//! One integration-test binary: every test runs once on SQLite and once on PostgreSQL.

mod helpers;

mod accounts;
mod api_accounts_admin;
mod cli;
mod federation;
mod federation_pages;
mod partner_api;
mod portal;
mod reading_schedules;
mod scope;
mod security;
mod sign_in;
mod store;
mod tickets;
