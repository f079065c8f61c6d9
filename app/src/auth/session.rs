//! The signed-in part of a tower-sessions session, read and written in one place.

use serde::{Deserialize, Serialize};
use tower_sessions::{Expiry, Session};

use crate::domain::UserId;

const KEY: &str = "tcrm.auth";

/// A session unused for this long is dead; each use pushes the deadline back.
pub const SESSION_IDLE: time::Duration = time::Duration::hours(8);

/// The deadline is pushed back (a write) at most this often per session, not on
/// every request.
const RENEW_EVERY: time::Duration = time::Duration::minutes(10);

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

    /// The session id the request's cookie names (whether or not it exists).
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// The signed-in account and its epoch held in a session's key-value map.
    pub fn signed_in_of(
        data: &std::collections::HashMap<String, serde_json::Value>,
    ) -> Option<(UserId, i64)> {
        let signed_in = SignedIn::deserialize(data.get(KEY)?).ok()?;
        Some((signed_in.user_id, signed_in.epoch))
    }

    /// Pushes the idle deadline back when the last push is more than
    /// [`RENEW_EVERY`] old; the session layer writes it (and the cookie's
    /// lifetime) after the response.
    pub fn keep_alive(
        &self,
        expires_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let left = time::Duration::seconds((expires_at - now).num_seconds());
        if left < SESSION_IDLE - RENEW_EVERY {
            self.0.set_expiry(Some(Expiry::OnInactivity(SESSION_IDLE)));
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
