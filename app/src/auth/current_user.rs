//! The signed-in staff member of a request.

use serde::{Deserialize, Serialize};

use super::AuthSession;
use crate::domain::{BranchCode, Language, Role, UserId, Username};
use crate::store::Db;

/// The staff member making the request, checked against the database on every request
/// (an account deactivated or re-passworded a second ago is already refused).
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

/// Loads the session's account; a session whose account is gone, inactive or whose
/// epoch moved on is signed out.
pub async fn resolve_current_user(db: &Db, session: &AuthSession) -> Option<CurrentUser> {
    let (user_id, epoch) = session.signed_in().await?;
    let user = match db.staff_user(user_id).await {
        Ok(user) => Some(user),
        Err(crate::store::StoreError::NotFound) => None,
        Err(error) => {
            tracing::error!(?error, %user_id, "loading the session's account");
            return None;
        }
    };
    match user {
        Some(user) if user.active && user.session_epoch == epoch => Some(CurrentUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            branch: user.branch,
            language: user.language,
            must_change_password: user.must_change_password,
        }),
        _ => {
            if let Err(error) = session.sign_out().await {
                tracing::warn!(?error, "ending a stale session");
            }
            None
        }
    }
}
