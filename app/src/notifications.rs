//! Delivering notifications to customers: one entry point for the API and for
//! campaigns. Today the channel is the app inbox (stored per phone); push, Zalo
//! ZNS and SMS adapters plug in here behind the same call.

use crate::error::AppError;
use crate::store::Db;
use crate::store::notifications::NewNotification;

/// Titles longer than this are refused.
pub const MAX_TITLE: usize = 255;
/// Bodies longer than this are refused.
pub const MAX_CONTENT: usize = 5_000;

/// Stores each notification in its phone's inbox, all or none; returns their ids.
pub async fn deliver(db: &Db, items: &[NewNotification]) -> Result<Vec<i64>, AppError> {
    let ids = db.insert_notifications(items).await?;
    tracing::info!(
        count = ids.len(),
        "notifications delivered to the app inbox"
    );
    Ok(ids)
}
