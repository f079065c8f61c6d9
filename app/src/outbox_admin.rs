//! Watching the outbox from the portal: which messages an admin sees (an HQ
//! admin every one, a branch admin those of their branch's tickets) and an
//! admin's "retry now", recorded in the audit trail.

use chrono::{DateTime, Duration, Utc};

use crate::auth::{CurrentUser, Permission, authorize};
use crate::domain::BranchCode;
use crate::error::AppError;
use crate::store::Db;
use crate::store::outbox::{OutboxCounts, OutboxProblem};

/// A pending message older than this is listed as stuck.
pub const STUCK_AFTER: Duration = Duration::minutes(10);

/// At most this many problems are listed (oldest first).
pub const PROBLEMS_SHOWN: i64 = 200;

/// The branch whose messages `actor` may watch (`None`: every branch), or
/// `Forbidden`. Watching and retrying the sync is a branch setting: HQ admins
/// for every branch, branch admins for their own.
pub fn sync_scope(actor: &CurrentUser) -> Result<Option<BranchCode>, AppError> {
    authorize(
        actor,
        Permission::ManageBranchSettings,
        actor.branch.as_ref(),
    )?;
    Ok(actor.branch.clone())
}

/// What the sync page shows.
#[derive(Debug)]
pub struct SyncOverview {
    pub counts: OutboxCounts,
    /// Failed messages, and pending ones created before `now - STUCK_AFTER`.
    pub problems: Vec<OutboxProblem>,
    /// More problems exist than are listed.
    pub truncated: bool,
}

pub async fn overview(
    db: &Db,
    actor: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<SyncOverview, AppError> {
    let branch = sync_scope(actor)?;
    let counts = match &branch {
        Some(branch) => db.branch_outbox_counts(branch).await?,
        None => db.outbox_counts().await?,
    };
    let mut problems = db
        .outbox_problems_of(branch.as_ref(), now - STUCK_AFTER, PROBLEMS_SHOWN + 1)
        .await?;
    let truncated = problems.len() > PROBLEMS_SHOWN as usize;
    problems.truncate(PROBLEMS_SHOWN as usize);
    Ok(SyncOverview {
        counts,
        problems,
        truncated,
    })
}

/// Makes a failed or waiting message due now. A message outside the actor's
/// scope is not found; one delivered meanwhile is a conflict.
pub async fn retry(
    db: &Db,
    actor: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let scope = sync_scope(actor)?;
    let message = db.outbox_message(id).await?;
    if let Some(own) = &scope {
        let ticket = db.ticket(message.ticket_id).await?;
        if ticket.branch_code.as_ref() != Some(own) {
            return Err(AppError::NotFound);
        }
    }
    if message.state == "delivered" {
        return Err(AppError::Conflict);
    }
    db.outbox_retry_now(id, now)
        .await
        .map_err(|error| match error {
            // Delivered between the read and the update.
            crate::store::StoreError::NotFound => AppError::Conflict,
            other => AppError::from(other),
        })?;
    db.record_audit_event(
        Some(actor.id),
        "outbox.retry",
        &id.to_string(),
        &format!(
            "ticket={} peer={} kind={} state={} attempts={}",
            message.ticket_id, message.peer, message.kind, message.state, message.attempts
        ),
    )
    .await?;
    tracing::info!(message_id = id, ticket = %message.ticket_id, peer = %message.peer, "outbox message retried by an admin");
    Ok(())
}
