//! The signed-in staff member of a request.

use serde::{Deserialize, Serialize};

use super::{AuthSession, SignedInCache};
use crate::domain::{BranchCode, Language, Role, UserId, Username};
use crate::store::Db;

/// The staff member making the request, checked against the database (or a read of
/// it a moment ago that no change has overtaken: see [`super::SignedInCache`]), so
/// an account deactivated or re-passworded a second ago is already refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    /// `None`: HQ-wide; `Some`: only this branch.
    pub branch: Option<BranchCode>,
    pub language: Language,
    pub must_change_password: bool,
}

/// Loads the session's account, joined to its session in one statement (unless
/// `cache` read it a moment ago); a session whose account is inactive or whose
/// epoch moved on is signed out.
pub async fn resolve_current_user(
    db: &Db,
    cache: &SignedInCache,
    session: &AuthSession,
) -> Option<CurrentUser> {
    let id = session.id()?;
    let now = chrono::Utc::now();
    if let Some((user, expires_at)) = cache.get(&id, now) {
        session.keep_alive(expires_at, now);
        return Some(user);
    }
    let generation = cache.generation();
    let found = match db.session_account(&id, now).await {
        Ok(found) => found?,
        Err(error) => {
            tracing::error!(?error, "loading the session's account");
            return None;
        }
    };
    let user = found.user;
    if !user.active || user.session_epoch != found.epoch {
        if let Err(error) = session.sign_out().await {
            tracing::warn!(?error, "ending a stale session");
        }
        return None;
    }
    session.keep_alive(found.expires_at, now);
    let user = CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        branch: user.branch,
        language: user.language,
        must_change_password: user.must_change_password,
    };
    cache.put(id, user.clone(), found.expires_at, generation);
    Some(user)
}
