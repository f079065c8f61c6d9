//! What every request handler can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::store::Db;

/// Shared, cheaply cloned state of the running portal.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    /// Whether cookies carry `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
    /// Where uploaded attachments are kept (`TCRM_DATA_DIR/attachments`).
    pub attachments_dir: std::path::PathBuf,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
