//! Staff account administration: the rules, shared by the portal and the CLI.

use crate::auth::{CurrentUser, Permission, authorize, hash_password};
use crate::domain::{
    BranchCode, NewPassword, PasswordError, Role, UserId, Username, UsernameError,
};
use crate::error::{AppError, FormErrors};
use crate::i18n::Key;
use crate::store::users::NewStaffUser;
use crate::store::{Db, StoreError};

/// The account form as submitted (portal, CLI), before parsing.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Empty: HQ-wide.
    pub branch: String,
}

/// The account form, parsed.
struct ParsedUser {
    username: Option<Username>,
    display_name: String,
    role: Role,
    branch: Option<BranchCode>,
}

fn username_key(error: &UsernameError) -> Key {
    match error {
        UsernameError::Length => Key::UsernameLength,
        UsernameError::Characters => Key::UsernameCharacters,
    }
}

pub fn password_key(error: &PasswordError) -> Key {
    match error {
        PasswordError::TooShort => Key::PasswordTooShort,
        PasswordError::TooLong => Key::PasswordTooLong,
        PasswordError::ContainsUsername => Key::PasswordContainsUsername,
    }
}

/// Parses the role and scope fields and checks they fit each other and the actor.
async fn parse_profile(
    db: &Db,
    actor: Option<&CurrentUser>,
    input: &UserInput,
    errors: &mut FormErrors,
) -> Result<Option<(Role, Option<BranchCode>)>, AppError> {
    let role = match Role::parse(&input.role) {
        Ok(role) => Some(role),
        Err(_) => {
            let allowed: Vec<&str> = Role::ALL.iter().map(|role| role.code()).collect();
            errors.add_with_detail("role", Key::UnknownRole, allowed.join(", "));
            None
        }
    };
    let branch = if input.branch.trim().is_empty() {
        Some(None)
    } else {
        match BranchCode::parse(&input.branch) {
            Ok(code) if db.branch_exists(&code).await? => Some(Some(code)),
            _ => {
                errors.add_with_detail("branch", Key::UnknownBranch, BranchCode::ALL.join(", "));
                None
            }
        }
    };
    let (Some(role), Some(branch)) = (role, branch) else {
        return Ok(None);
    };
    if role.requires_branch() && branch.is_none() {
        errors.add("branch", Key::RoleNeedsBranch);
        return Ok(None);
    }
    if role.requires_hq() && branch.is_some() {
        errors.add("branch", Key::RoleIsHqWide);
        return Ok(None);
    }
    // A branch admin grants branch roles, inside their own branch only.
    if let Some(actor) = actor.filter(|actor| actor.role != Role::Admin) {
        if role.requires_hq() {
            errors.add("role", Key::RoleNotGrantable);
            return Ok(None);
        }
        if authorize(actor, Permission::ManageUsers, branch.as_ref()).is_err() {
            errors.add("branch", Key::BranchOutOfScope);
            return Ok(None);
        }
    }
    Ok(Some((role, branch)))
}

fn parse_display_name(
    input: &UserInput,
    username: Option<&Username>,
    errors: &mut FormErrors,
) -> String {
    let name = input.display_name.trim();
    if name.chars().count() > 100 {
        errors.add("display_name", Key::FieldTooLong);
    }
    match (name.is_empty(), username) {
        (true, Some(username)) => username.to_string(),
        (true, None) => String::new(),
        (false, _) => name.to_owned(),
    }
}

fn keep_values(input: &UserInput, errors: &mut FormErrors) {
    errors.keep("username", &input.username);
    errors.keep("display_name", &input.display_name);
    errors.keep("role", &input.role);
    errors.keep("branch", &input.branch);
}

async fn parse_user(
    db: &Db,
    actor: Option<&CurrentUser>,
    input: &UserInput,
    errors: &mut FormErrors,
) -> Result<Option<ParsedUser>, AppError> {
    let username = match Username::parse(&input.username) {
        Ok(username) => Some(username),
        Err(error) => {
            errors.add("username", username_key(&error));
            None
        }
    };
    let display_name = parse_display_name(input, username.as_ref(), errors);
    let profile = parse_profile(db, actor, input, errors).await?;
    Ok(profile.map(|(role, branch)| ParsedUser {
        username,
        display_name,
        role,
        branch,
    }))
}

/// Creates a staff account. `actor` is the signed-in admin, or `None` for the CLI.
/// Accounts created by someone else must change their password at first sign-in.
pub async fn create_user(
    db: &Db,
    actor: Option<&CurrentUser>,
    input: &UserInput,
    password: &str,
) -> Result<UserId, AppError> {
    if let Some(actor) = actor {
        authorize(actor, Permission::ViewUsers, None)?;
    }
    let mut errors = FormErrors::default();
    keep_values(input, &mut errors);
    let parsed = parse_user(db, actor, input, &mut errors).await?;
    let password = parsed
        .as_ref()
        .and_then(|parsed| parsed.username.as_ref())
        .and_then(|username| {
            NewPassword::parse(password, username)
                .map_err(|error| errors.add("password", password_key(&error)))
                .ok()
        });
    let (Some(parsed), Some(password)) = (parsed, password) else {
        return Err(AppError::Validation(errors));
    };
    let Some(username) = parsed.username else {
        return Err(AppError::Validation(errors));
    };
    errors.clone().into_result()?;

    let password_hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|error| {
            tracing::error!(?error, "hashing a new account's password");
            AppError::Internal
        })?;
    let new_user = NewStaffUser {
        username: &username,
        display_name: &parsed.display_name,
        password_hash: &password_hash,
        role: parsed.role,
        branch: parsed.branch.as_ref(),
        must_change_password: actor.is_some(),
    };
    let id = match db.create_staff_user(&new_user).await {
        Ok(id) => id,
        Err(StoreError::UniqueViolation(_)) => {
            errors.add("username", Key::UsernameTaken);
            return Err(AppError::Validation(errors));
        }
        Err(other) => return Err(other.into()),
    };
    let scope = parsed
        .branch
        .as_ref()
        .map_or("HQ".to_owned(), ToString::to_string);
    db.record_audit_event(
        actor.map(|actor| actor.id),
        "user.create",
        username.as_str(),
        &format!("role={} scope={scope}", parsed.role.code()),
    )
    .await?;
    tracing::info!(user_id = %id, role = parsed.role.code(), %scope, "staff account created");
    Ok(id)
}

/// Loads an account the actor may manage (a branch admin: only their branch's).
pub async fn managed_user(
    db: &Db,
    actor: &CurrentUser,
    id: UserId,
) -> Result<crate::store::users::StaffUser, AppError> {
    authorize(actor, Permission::ViewUsers, None)?;
    let user = db.staff_user(id).await?;
    if authorize(actor, Permission::ManageUsers, user.branch.as_ref()).is_err() {
        // Outside the actor's scope the account does not exist, as far as they can tell.
        return Err(AppError::NotFound);
    }
    Ok(user)
}

/// Changes an account's name, role and scope.
pub async fn update_user(
    db: &Db,
    actor: &CurrentUser,
    id: UserId,
    input: &UserInput,
) -> Result<(), AppError> {
    let existing = managed_user(db, actor, id).await?;
    let mut errors = FormErrors::default();
    keep_values(input, &mut errors);
    let display_name = parse_display_name(input, Some(&existing.username), &mut errors);
    let profile = parse_profile(db, Some(actor), input, &mut errors).await?;
    let Some((role, branch)) = profile else {
        return Err(AppError::Validation(errors));
    };
    errors.clone().into_result()?;
    let changes_rights = role != existing.role || branch != existing.branch;
    if changes_rights && existing.id == actor.id {
        errors.add("role", Key::CannotChangeSelf);
        return Err(AppError::Validation(errors));
    }
    if existing.role == Role::Admin
        && role != Role::Admin
        && existing.active
        && db.count_active_admins().await? <= 1
    {
        errors.add("role", Key::LastAdmin);
        return Err(AppError::Validation(errors));
    }
    db.update_staff_user_profile(id, &display_name, role, branch.as_ref())
        .await?;
    let scope = branch.as_ref().map_or("HQ".to_owned(), ToString::to_string);
    db.record_audit_event(
        Some(actor.id),
        "user.update",
        existing.username.as_str(),
        &format!("role={} scope={scope}", role.code()),
    )
    .await?;
    Ok(())
}

/// Deactivates (ending every session) or reactivates an account.
pub async fn set_user_active(
    db: &Db,
    actor: &CurrentUser,
    id: UserId,
    active: bool,
) -> Result<(), AppError> {
    let existing = managed_user(db, actor, id).await?;
    if existing.id == actor.id {
        return Err(AppError::field("active", Key::CannotChangeSelf));
    }
    if !active
        && existing.role == Role::Admin
        && existing.active
        && db.count_active_admins().await? <= 1
    {
        return Err(AppError::field("active", Key::LastAdmin));
    }
    db.set_staff_user_active(id, active).await?;
    let action = if active {
        "user.reactivate"
    } else {
        "user.deactivate"
    };
    db.record_audit_event(Some(actor.id), action, existing.username.as_str(), "")
        .await?;
    Ok(())
}

/// Sets a new password chosen by an admin; the user must change it at next sign-in.
pub async fn reset_user_password(
    db: &Db,
    actor: &CurrentUser,
    id: UserId,
    password: &str,
) -> Result<(), AppError> {
    let existing = managed_user(db, actor, id).await?;
    let password = NewPassword::parse(password, &existing.username)
        .map_err(|error| AppError::field("password", password_key(&error)))?;
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|error| {
            tracing::error!(?error, "hashing a reset password");
            AppError::Internal
        })?;
    db.set_staff_user_password(id, &hash, true).await?;
    db.record_audit_event(
        Some(actor.id),
        "user.reset_password",
        existing.username.as_str(),
        "",
    )
    .await?;
    Ok(())
}

/// Changes the signed-in user's own password; returns the account's new session epoch.
pub async fn change_own_password(
    db: &Db,
    user: &CurrentUser,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<i64, AppError> {
    let stored = db.staff_user(user.id).await?;
    let current_ok = crate::auth::verify_password(current.to_owned(), Some(stored.password_hash))
        .await
        .map_err(|error| {
            tracing::error!(?error, "verifying the current password");
            AppError::Internal
        })?;
    let mut errors = FormErrors::default();
    if !current_ok {
        errors.add("current_password", Key::CurrentPasswordWrong);
    }
    let password = match NewPassword::parse(new, &user.username) {
        Ok(password) => Some(password),
        Err(error) => {
            errors.add("new_password", password_key(&error));
            None
        }
    };
    if new != confirm {
        errors.add("confirm_password", Key::PasswordsDiffer);
    }
    errors.into_result()?;
    let Some(password) = password else {
        return Err(AppError::Internal);
    };
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|error| {
            tracing::error!(?error, "hashing a changed password");
            AppError::Internal
        })?;
    let epoch = db.set_staff_user_password(user.id, &hash, false).await?;
    db.record_audit_event(
        Some(user.id),
        "user.change_password",
        user.username.as_str(),
        "",
    )
    .await?;
    Ok(epoch)
}

/// Renders validation errors as English lines, for the command line.
pub fn describe_errors(error: &AppError) -> Vec<String> {
    match error {
        AppError::Validation(errors) => errors
            .fields
            .iter()
            .map(|field| {
                let message = field.message.text(crate::domain::Language::En);
                match &field.detail {
                    Some(detail) => format!("{}: {message} {detail}", field.field),
                    None => format!("{}: {message}", field.field),
                }
            })
            .collect(),
        other => vec![
            other
                .message_key()
                .text(crate::domain::Language::En)
                .to_owned(),
        ],
    }
}

/// The accounts the actor may see: all for an admin, their branch's for a branch admin.
pub async fn list_users(
    db: &Db,
    actor: &CurrentUser,
    mut filter: crate::store::users::UserFilter,
) -> Result<Vec<crate::store::users::StaffUser>, AppError> {
    authorize(actor, Permission::ViewUsers, None)?;
    if actor.role != Role::Admin {
        filter.branch = actor.branch.clone();
        if filter.branch.is_none() {
            return Err(AppError::Forbidden);
        }
    }
    Ok(db.list_staff_users(&filter).await?)
}

/// The roles the actor may grant.
pub fn grantable_roles(actor: &CurrentUser) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| actor.role == Role::Admin || !role.requires_hq())
        .collect()
}
