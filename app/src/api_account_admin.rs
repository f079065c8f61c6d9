//! Administering API accounts, from the portal and the command line: who sees
//! which accounts, passwords generated on request, and the audit trail around
//! the rules of [`crate::api_accounts`].

use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;

use crate::api_accounts::{
    ApiAccountInput, create_api_account, rotate_api_password, set_api_account_active,
};
use crate::auth::{CurrentUser, Permission, authorize};
use crate::domain::{ApiAccountKind, NewPassword, Username};
use crate::error::AppError;
use crate::store::Db;
use crate::store::api_accounts::ApiAccountSummary;

/// Characters of a generated password: 24 of `[A-Za-z0-9]` are about 143 bits.
pub const GENERATED_PASSWORD_CHARS: usize = 24;

/// A strong random password that the password policy accepts for `username`.
pub fn generate_password(username: &str) -> String {
    let username = Username::parse(username).ok();
    loop {
        let candidate = Alphanumeric.sample_string(&mut OsRng, GENERATED_PASSWORD_CHARS);
        // A short username can turn up inside a random string; the policy refuses that.
        let accepted = username
            .as_ref()
            .is_none_or(|username| NewPassword::parse(&candidate, username).is_ok());
        if accepted {
            return candidate;
        }
    }
}

/// The password an administrator chose in a form: typed twice, or generated
/// because both boxes were left empty. Never logged.
pub enum ChosenPassword {
    Typed(String),
    Generated(String),
}

impl ChosenPassword {
    /// `None` when the two typed passwords differ.
    pub fn from_form(password: &str, confirmation: &str, username: &str) -> Option<ChosenPassword> {
        if password.is_empty() && confirmation.is_empty() {
            Some(ChosenPassword::Generated(generate_password(username)))
        } else if password == confirmation {
            Some(ChosenPassword::Typed(password.to_owned()))
        } else {
            None
        }
    }

    pub fn expose(&self) -> &str {
        match self {
            ChosenPassword::Typed(password) | ChosenPassword::Generated(password) => password,
        }
    }

    /// The password to show once to the administrator, when it was generated.
    pub fn generated(&self) -> Option<&str> {
        match self {
            ChosenPassword::Typed(_) => None,
            ChosenPassword::Generated(password) => Some(password),
        }
    }
}

impl std::fmt::Debug for ChosenPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChosenPassword::Typed(_) => f.write_str("Typed(***)"),
            ChosenPassword::Generated(_) => f.write_str("Generated(***)"),
        }
    }
}

/// The accounts `actor` may see and manage: every account for an HQ admin, the
/// `branch` accounts of their own branch for a branch admin. The same rule as
/// the service's, so the page never lists what it could not change.
pub async fn visible_accounts(
    db: &Db,
    actor: &CurrentUser,
) -> Result<Vec<ApiAccountSummary>, AppError> {
    if authorize(actor, Permission::ManageReference, None).is_ok() {
        return Ok(db.list_api_accounts(None).await?);
    }
    let Some(branch) = actor.branch.as_ref() else {
        return Err(AppError::Forbidden);
    };
    authorize(actor, Permission::ManageUsers, Some(branch))?;
    Ok(db
        .list_api_accounts(Some(branch))
        .await?
        .into_iter()
        .filter(|account| account.kind == ApiAccountKind::Branch)
        .collect())
}

/// One account `actor` may manage; any other is reported as not found.
pub async fn managed_account(
    db: &Db,
    actor: &CurrentUser,
    id: i64,
) -> Result<ApiAccountSummary, AppError> {
    visible_accounts(db, actor)
        .await?
        .into_iter()
        .find(|account| account.id == id)
        .ok_or(AppError::NotFound)
}

/// Creates an account (`actor = None`: the command line) and records it in the audit trail.
pub async fn create(
    db: &Db,
    actor: Option<&CurrentUser>,
    input: &ApiAccountInput,
) -> Result<i64, AppError> {
    let id = create_api_account(db, actor, input).await?;
    let account = db.api_account(id).await?;
    let branch = account
        .branch_code
        .as_ref()
        .map_or("-".to_owned(), ToString::to_string);
    db.record_audit_event(
        actor.map(|actor| actor.id),
        "api_account.create",
        &account.username,
        &format!("kind={} branch={branch}", account.kind),
    )
    .await?;
    Ok(id)
}

/// Sets a new password (revoking every token) and records it in the audit trail.
pub async fn rotate_password(
    db: &Db,
    actor: Option<&CurrentUser>,
    id: i64,
    password: &str,
) -> Result<(), AppError> {
    rotate_api_password(db, actor, id, password).await?;
    let account = db.api_account(id).await?;
    db.record_audit_event(
        actor.map(|actor| actor.id),
        "api_account.rotate_password",
        &account.username,
        "",
    )
    .await?;
    Ok(())
}

/// Deactivates (revoking every token) or reactivates an account, with an audit record.
pub async fn set_active(
    db: &Db,
    actor: Option<&CurrentUser>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    set_api_account_active(db, actor, id, active).await?;
    let account = db.api_account(id).await?;
    let action = if active {
        "api_account.reactivate"
    } else {
        "api_account.deactivate"
    };
    db.record_audit_event(actor.map(|actor| actor.id), action, &account.username, "")
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_random_and_accepted() {
        let username = Username::parse("abc").expect("valid");
        let first = generate_password("abc");
        let second = generate_password("abc");
        assert_eq!(first.chars().count(), GENERATED_PASSWORD_CHARS);
        assert_ne!(first, second);
        for _ in 0..2000 {
            let password = generate_password("abc");
            assert!(NewPassword::parse(&password, &username).is_ok());
        }
    }

    #[test]
    fn empty_boxes_mean_generate_and_typed_ones_must_match() {
        let generated = ChosenPassword::from_form("", "", "gd.erp").expect("generated");
        assert!(generated.generated().is_some());
        let typed =
            ChosenPassword::from_form("Nước-sạch-2026", "Nước-sạch-2026", "gd.erp").expect("typed");
        assert_eq!(typed.generated(), None);
        assert_eq!(typed.expose(), "Nước-sạch-2026");
        assert!(ChosenPassword::from_form("Nước-sạch-2026", "", "gd.erp").is_none());
        assert!(ChosenPassword::from_form("", "x", "gd.erp").is_none());
        assert_eq!(format!("{typed:?}"), "Typed(***)");
    }
}
