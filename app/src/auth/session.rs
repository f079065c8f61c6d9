//! The signed-in part of a tower-sessions session, read and written in one place.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::domain::UserId;

const KEY: &str = "tcrm.auth";

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct SignedIn {
    user_id: UserId,
    /// The account's session epoch at sign-in; a later password change or
    /// deactivation bumps the account's epoch and so ends this session.
    epoch: i64,
}

/// A typed view of the session: who signed in, at which epoch.
#[derive(Clone, Debug)]
pub struct AuthSession(Session);

impl AuthSession {
    pub fn new(session: Session) -> AuthSession {
        AuthSession(session)
    }

    /// The signed-in account and its epoch, if any.
    pub async fn signed_in(&self) -> Option<(UserId, i64)> {
        match self.0.get::<SignedIn>(KEY).await {
            Ok(value) => value.map(|signed_in| (signed_in.user_id, signed_in.epoch)),
            Err(error) => {
                tracing::warn!(%error, "unreadable session");
                None
            }
        }
    }

    /// Records a sign-in under a fresh session id (no fixation).
    pub async fn sign_in(&self, user_id: UserId, epoch: i64) -> anyhow::Result<()> {
        self.0.cycle_id().await?;
        self.0.insert(KEY, SignedIn { user_id, epoch }).await?;
        Ok(())
    }

    /// Keeps this session valid after its own account's epoch moved (own password change).
    pub async fn renew(&self, user_id: UserId, epoch: i64) -> anyhow::Result<()> {
        self.sign_in(user_id, epoch).await
    }

    pub async fn sign_out(&self) -> anyhow::Result<()> {
        self.0.flush().await?;
        Ok(())
    }
}
