//! How HQ reaches each branch's own TCRM: the rules of the branch settings
//! (HQ admins only, what a valid setting is, the password sealed with the
//! instance's key) and the connection test, each recorded in the audit trail.

use crate::auth::{CurrentUser, Permission, authorize};
use crate::domain::{BaseUrl, BaseUrlError, BranchCode, Username, UsernameError};
use crate::error::{AppError, FormErrors};
use crate::federation::{PeerEndpoint, PeerError};
use crate::i18n::Key;
use crate::secrets::SecretKey;
use crate::store::Db;
use crate::store::outbox::{BranchRemote, RemoteSettings};

/// The environments a branch offers, as stored in `branches.remote_environment`.
pub const ENVIRONMENTS: [&str; 2] = ["production", "uat"];

/// The longest password accepted (the peer's own policy decides the rest).
const MAX_PASSWORD_CHARS: usize = 200;

/// A branch's remote settings as typed in the form. `password` empty keeps the
/// stored one; it is never kept for redisplay, logged or audited.
#[derive(Clone, Default)]
pub struct RemoteForm {
    pub branch: String,
    pub base_url: String,
    pub uat_base_url: String,
    pub environment: String,
    pub enabled: bool,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for RemoteForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteForm")
            .field("branch", &self.branch)
            .field("base_url", &self.base_url)
            .field("uat_base_url", &self.uat_base_url)
            .field("environment", &self.environment)
            .field("enabled", &self.enabled)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl RemoteForm {
    /// What the form shows again after a refusal or a test: everything but the password.
    pub fn kept_values(&self) -> FormErrors {
        let mut kept = FormErrors::default();
        kept.keep("branch", &self.branch);
        kept.keep("base_url", &self.base_url);
        kept.keep("uat_base_url", &self.uat_base_url);
        kept.keep("environment", &self.environment);
        kept.keep("enabled", if self.enabled { "true" } else { "" });
        kept.keep("username", &self.username);
        kept
    }

    /// The name of the field holding the URL in use.
    fn url_field(&self) -> &'static str {
        if self.environment == "uat" {
            "uat_base_url"
        } else {
            "base_url"
        }
    }
}

/// The form once checked.
struct Checked<'a> {
    stored: BranchRemote,
    base_url: String,
    uat_base_url: String,
    environment: &'static str,
    username: String,
    /// A newly typed password.
    password: Option<&'a str>,
}

fn url_key(error: BaseUrlError) -> Key {
    match error {
        BaseUrlError::Spaces => Key::UrlSpaces,
        BaseUrlError::Scheme => Key::UrlScheme,
        BaseUrlError::Host => Key::UrlHost,
        BaseUrlError::Extra => Key::UrlExtra,
        BaseUrlError::TooLong => Key::FieldTooLong,
    }
}

/// Checks the form; with `complete`, the URL in use, a username and a password
/// (typed or stored) must be there too — to enable sending, or to test.
async fn check<'a>(
    db: &Db,
    actor: &CurrentUser,
    form: &'a RemoteForm,
    complete: bool,
) -> Result<Checked<'a>, AppError> {
    authorize(actor, Permission::ManageReference, None)?;
    // A hidden field: a code that does not parse was not typed by anyone.
    let branch = BranchCode::parse(&form.branch).map_err(|_| AppError::BadRequest)?;
    let stored = db
        .branch_remote(branch.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = form.kept_values();
    for (field, value) in [
        ("base_url", &form.base_url),
        ("uat_base_url", &form.uat_base_url),
    ] {
        // Empty is allowed: the branch has no such environment (yet).
        if !value.is_empty()
            && let Err(error) = BaseUrl::parse(value)
        {
            errors.add(field, url_key(error));
        }
    }
    let environment = ENVIRONMENTS
        .into_iter()
        .find(|environment| *environment == form.environment);
    if environment.is_none() {
        errors.add_with_detail("environment", Key::UnknownChoice, ENVIRONMENTS.join(", "));
    }
    let username = match form.username.trim() {
        "" => String::new(),
        typed => match Username::parse(typed) {
            Ok(username) => username.to_string(),
            Err(UsernameError::Length) => {
                errors.add("username", Key::UsernameLength);
                String::new()
            }
            Err(UsernameError::Characters) => {
                errors.add("username", Key::UsernameCharacters);
                String::new()
            }
        },
    };
    if form.password.chars().count() > MAX_PASSWORD_CHARS {
        errors.add("password", Key::PasswordTooLong);
    }
    if complete {
        let url_field = form.url_field();
        let url = if url_field == "uat_base_url" {
            &form.uat_base_url
        } else {
            &form.base_url
        };
        if environment.is_some() && url.is_empty() {
            errors.add(url_field, Key::RemoteRequired);
        }
        if form.username.trim().is_empty() {
            errors.add("username", Key::RemoteRequired);
        }
        if form.password.is_empty() && stored.remote_password_sealed.is_empty() {
            errors.add("password", Key::RemoteRequired);
        }
    }
    errors.into_result()?;
    Ok(Checked {
        stored,
        base_url: form.base_url.clone(),
        uat_base_url: form.uat_base_url.clone(),
        environment: environment.unwrap_or("production"),
        username,
        password: (!form.password.is_empty()).then_some(form.password.as_str()),
    })
}

/// Saves a branch's remote settings (a typed password sealed with `key`) and
/// records it in the audit trail. Answers the branch.
pub async fn save(
    db: &Db,
    key: &SecretKey,
    actor: &CurrentUser,
    form: &RemoteForm,
) -> Result<BranchCode, AppError> {
    let checked = check(db, actor, form, form.enabled).await?;
    let sealed = checked.password.map(|password| key.seal(password));
    let branch = checked.stored.code.clone();
    db.set_branch_remote(
        &branch,
        &RemoteSettings {
            base_url: &checked.base_url,
            uat_base_url: &checked.uat_base_url,
            environment: checked.environment,
            enabled: form.enabled,
            username: &checked.username,
            password_sealed: sealed.as_deref(),
        },
    )
    .await?;
    let detail = format!(
        "enabled={} environment={} base_url={} uat_base_url={} username={} password={}",
        form.enabled,
        checked.environment,
        checked.base_url,
        checked.uat_base_url,
        checked.username,
        if sealed.is_some() { "changed" } else { "kept" },
    );
    db.record_audit_event(
        Some(actor.id),
        "branch.remote.update",
        branch.as_str(),
        &detail,
    )
    .await?;
    tracing::info!(branch = %branch, enabled = form.enabled, "branch remote settings saved");
    Ok(branch)
}

/// The answer of a connection test.
#[derive(Debug)]
pub struct ConnectionTest {
    pub branch: BranchCode,
    /// The base URL that was tried.
    pub url: String,
    pub outcome: Result<(), PeerError>,
}

/// Signs in to the branch's API with the settings typed in the form (the
/// stored password when none is typed), without saving anything.
pub async fn test(
    db: &Db,
    key: &SecretKey,
    actor: &CurrentUser,
    form: &RemoteForm,
) -> Result<ConnectionTest, AppError> {
    let checked = check(db, actor, form, true).await?;
    let password = match checked.password {
        Some(typed) => typed.to_owned(),
        None => key
            .open(&checked.stored.remote_password_sealed)
            .map_err(|_| {
                let mut errors = form.kept_values();
                errors.add("password", Key::RemotePasswordUnreadable);
                AppError::Validation(errors)
            })?,
    };
    let remote = BranchRemote {
        base_url: checked.base_url,
        uat_base_url: checked.uat_base_url,
        remote_environment: checked.environment.to_owned(),
        ..checked.stored
    };
    let url = remote.active_url().to_owned();
    let peer = PeerEndpoint {
        name: remote.code.to_string(),
        base_url: url.clone(),
        username: checked.username,
        password,
    };
    let outcome = crate::federation::test_connection(&peer).await;
    let result = match &outcome {
        Ok(()) => "ok".to_owned(),
        Err(error) => crate::federation::shorten(&error.to_string())
            .chars()
            .take(300)
            .collect(),
    };
    db.record_audit_event(
        Some(actor.id),
        "branch.remote.test",
        remote.code.as_str(),
        &format!("url={url} username={} result={result}", peer.username),
    )
    .await?;
    tracing::info!(branch = %remote.code, ok = outcome.is_ok(), "branch connection tested");
    Ok(ConnectionTest {
        branch: remote.code,
        url,
        outcome,
    })
}
