//! API accounts: who may create one, how they sign in (`GET /apiv1/auth`), and
//! how a bearer token is checked — without any password hashing per call.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::{
    AccountReads, CurrentUser, Permission, authorize, hash_password, verify_password,
};
use crate::domain::{ApiAccountKind, BranchCode, NewPassword, Username};
use crate::error::{AppError, FormErrors};
use crate::i18n::Key;
use crate::store::api_accounts::{NewApiAccount, TokenOwner};
use crate::store::login_throttle::ThrottlePolicy;
use crate::store::{Db, StoreError};
use crate::users::password_key;

/// Wrong passwords lock an API account like a staff account: 5 failures, then
/// 30 s doubling up to an hour.
pub const ACCOUNT_POLICY: ThrottlePolicy = crate::auth::ACCOUNT_POLICY;
/// An address scanning passwords across accounts locks after 20 failures.
pub const ADDRESS_POLICY: ThrottlePolicy = crate::auth::ADDRESS_POLICY;

/// A client that signs in more than this many times within [`SIGN_IN_WINDOW`]
/// is signing in before every call; it is told to wait (`429`).
pub const SIGN_INS_PER_WINDOW: usize = 10;
pub const SIGN_IN_WINDOW: Duration = Duration::minutes(10);
/// Live tokens kept per account; older ones stop working.
pub const LIVE_TOKENS_KEPT: i64 = 20;
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// How long a token's owner, once read, answers for the token without a read:
/// a revocation made in another process (`tcrm api-account rotate-password` or
/// `deactivate`, a second portal on the same PostgreSQL) is seen within it. One
/// made by this process is seen at once: the store moves the generation every
/// entry is stamped with (see [`AccountReads`]).
pub const TOKEN_REUSE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// Token owners read a moment ago, by token hash. Every partner API call checks
/// its token, and clients keep one token for thousands of calls: the read, a
/// statement on the pool, was a tenth of a ticket creation's cost.
#[derive(Debug)]
pub struct TokenOwners(AccountReads<String, TokenOwner>);

impl Default for TokenOwners {
    fn default() -> Self {
        TokenOwners(AccountReads::reused_for(TOKEN_REUSE_FOR))
    }
}

impl std::ops::Deref for TokenOwners {
    type Target = AccountReads<String, TokenOwner>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// The create form (portal) or command line, before parsing.
#[derive(Clone, Debug, Default)]
pub struct ApiAccountInput {
    pub username: String,
    pub kind: String,
    /// Required for `branch` accounts, refused for the others.
    pub branch: String,
    pub email: String,
    pub password: String,
}

/// Who may administer API accounts of `branch` (`None`: an `app`/`hq` account).
fn may_manage(actor: Option<&CurrentUser>, branch: Option<&BranchCode>) -> Result<(), AppError> {
    match actor {
        // The command line runs with the operator's authority.
        None => Ok(()),
        Some(actor) => match branch {
            None => authorize(actor, Permission::ManageReference, None),
            Some(branch) => authorize(actor, Permission::ManageUsers, Some(branch)),
        },
    }
}

fn valid_email(email: &str) -> bool {
    email.is_empty()
        || (email.len() <= 255
            && email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')))
}

/// Creates an API account; every refused field is named.
pub async fn create_api_account(
    db: &Db,
    actor: Option<&CurrentUser>,
    input: &ApiAccountInput,
) -> Result<i64, AppError> {
    let mut errors = FormErrors::default();
    errors.keep("username", &input.username);
    errors.keep("kind", &input.kind);
    errors.keep("branch", &input.branch);
    errors.keep("email", &input.email);
    let username = match Username::parse(&input.username) {
        Ok(username) => Some(username),
        Err(crate::domain::UsernameError::Length) => {
            errors.add("username", Key::UsernameLength);
            None
        }
        Err(crate::domain::UsernameError::Characters) => {
            errors.add("username", Key::UsernameCharacters);
            None
        }
    };
    let kind = ApiAccountKind::parse(&input.kind);
    if kind.is_none() {
        errors.add_with_detail("kind", Key::UnknownChoice, "app, branch, hq");
    }
    let branch = match (kind, input.branch.trim()) {
        (Some(ApiAccountKind::Branch), "") => {
            errors.add_with_detail("branch", Key::FieldRequired, BranchCode::ALL.join(", "));
            None
        }
        (Some(ApiAccountKind::Branch), code) => match BranchCode::parse(code) {
            Ok(branch) => Some(branch),
            Err(_) => {
                errors.add_with_detail("branch", Key::UnknownBranch, BranchCode::ALL.join(", "));
                None
            }
        },
        (_, "") => None,
        (_, _) => {
            errors.add("branch", Key::ApiBranchOnlyForBranchKind);
            None
        }
    };
    let email = input.email.trim();
    if !valid_email(email) {
        errors.add("email", Key::EmailInvalid);
    }
    let password = username
        .as_ref()
        .map(|username| NewPassword::parse(&input.password, username));
    if let Some(Err(error)) = &password {
        errors.add("password", password_key(error));
    }
    errors.clone().into_result()?;
    let (Some(username), Some(kind), Some(Ok(password))) = (username, kind, password) else {
        return Err(AppError::Validation(errors));
    };
    may_manage(actor, branch.as_ref())?;
    let password_hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|error| {
            tracing::error!(?error, "hashing an API account password");
            AppError::Internal
        })?;
    let new = NewApiAccount {
        username: username.as_str(),
        kind,
        branch: branch.as_ref(),
        email,
        password_hash: &password_hash,
    };
    match db.create_api_account(&new).await {
        Ok(id) => {
            tracing::info!(api_account = id, kind = %kind, "API account created");
            Ok(id)
        }
        Err(StoreError::UniqueViolation(_)) => {
            errors.add("username", Key::UsernameTaken);
            Err(AppError::Validation(errors))
        }
        Err(other) => Err(other.into()),
    }
}

/// Sets a new password; every token of the account stops working at once.
pub async fn rotate_api_password(
    db: &Db,
    actor: Option<&CurrentUser>,
    id: i64,
    password: &str,
) -> Result<(), AppError> {
    let account = db.api_account(id).await?;
    may_manage(actor, account.branch_code.as_ref()).map_err(|_| AppError::NotFound)?;
    let username = Username::parse(&account.username).map_err(|_| AppError::Internal)?;
    let password = NewPassword::parse(password, &username)
        .map_err(|error| AppError::field("password", password_key(&error)))?;
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|error| {
            tracing::error!(?error, "hashing an API account password");
            AppError::Internal
        })?;
    db.set_api_account_password(id, &hash).await?;
    tracing::info!(
        api_account = id,
        "API account password changed; tokens revoked"
    );
    Ok(())
}

/// Activates or deactivates an account; deactivation revokes its tokens.
pub async fn set_api_account_active(
    db: &Db,
    actor: Option<&CurrentUser>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let account = db.api_account(id).await?;
    may_manage(actor, account.branch_code.as_ref()).map_err(|_| AppError::NotFound)?;
    db.set_api_account_active(id, active).await?;
    tracing::info!(api_account = id, active, "API account activation changed");
    Ok(())
}

/// What `GET /apiv1/auth` answers on success.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub account_id: i64,
    pub username: String,
    pub email: String,
    pub access_token: String,
}

/// Why `GET /apiv1/auth` refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiSignInRefusal {
    InvalidCredentials,
    /// Locked after failures, or signing in far more often than needed.
    TooMany {
        retry_after_secs: u64,
    },
}

fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1)
}

/// The SHA-256 (hex) under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks Basic credentials, throttled per account and per address, and issues a token.
#[tracing::instrument(skip_all, fields(username = %username.trim()))]
pub async fn sign_in(
    db: &Db,
    username: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<IssuedToken, Result<ApiSignInRefusal, AppError>> {
    let now = Utc::now();
    let account_key = format!("api:{}", username.trim().to_lowercase());
    let address_key = address.map(|address| format!("api-ip:{address}"));
    for key in std::iter::once(&account_key).chain(address_key.as_ref()) {
        if let Some(until) = db.throttle_locked_until(key, now).await.map_err(into_err)? {
            return Err(Ok(ApiSignInRefusal::TooMany {
                retry_after_secs: seconds_until(until, now),
            }));
        }
    }
    let account = db
        .api_account_by_username(username.trim())
        .await
        .map_err(into_err)?;
    let stored = account
        .as_ref()
        .map(|account| account.password_hash.clone());
    let password_ok = verify_password(password.to_owned(), stored)
        .await
        .map_err(|error| {
            tracing::error!(?error, "verifying an API password");
            Err(AppError::Internal)
        })?;
    let account = match account {
        Some(account) if password_ok && account.active => account,
        _ => {
            let mut lock = db
                .throttle_record_failure(&account_key, &ACCOUNT_POLICY, now)
                .await
                .map_err(into_err)?;
            if let Some(key) = &address_key {
                let address_lock = db
                    .throttle_record_failure(key, &ADDRESS_POLICY, now)
                    .await
                    .map_err(into_err)?;
                lock = lock.max(address_lock);
            }
            tracing::info!("API sign-in refused: invalid credentials");
            return Err(Ok(match lock {
                Some(until) => ApiSignInRefusal::TooMany {
                    retry_after_secs: seconds_until(until, now),
                },
                None => ApiSignInRefusal::InvalidCredentials,
            }));
        }
    };
    db.throttle_clear(&account_key).await.map_err(into_err)?;

    // A client that signs in before every call: make it wait until the oldest
    // sign-in of the window leaves it.
    let recent = db
        .api_tokens_issued_since(account.id, now - SIGN_IN_WINDOW)
        .await
        .map_err(into_err)?;
    if recent.len() >= SIGN_INS_PER_WINDOW {
        let oldest = recent[recent.len() - SIGN_INS_PER_WINDOW];
        tracing::warn!(
            api_account = account.id,
            "API sign-in refused: signing in far more often than needed"
        );
        return Err(Ok(ApiSignInRefusal::TooMany {
            retry_after_secs: seconds_until(oldest + SIGN_IN_WINDOW, now),
        }));
    }

    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let access_token = URL_SAFE_NO_PAD.encode(bytes);
    db.issue_api_token(
        account.id,
        &token_hash(&access_token),
        LIVE_TOKENS_KEPT,
        now,
    )
    .await
    .map_err(into_err)?;
    tracing::info!(api_account = account.id, "API token issued");
    Ok(IssuedToken {
        account_id: account.id,
        username: account.username,
        email: account.email,
        access_token,
    })
}

fn into_err<T>(error: StoreError) -> Result<T, AppError> {
    Err(AppError::from(error))
}

/// The account behind a bearer token, or `None` when the token is not live.
/// A lookup by hash, reused from `owners` for a moment: no password hashing
/// per call, and mostly no statement either.
pub async fn token_owner(
    db: &Db,
    owners: &TokenOwners,
    token: &str,
) -> Result<Option<TokenOwner>, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let hash = token_hash(token);
    // Taken before the read, or before the entry it finds was checked fresh.
    let generation = owners.generation();
    let (owner, read) = match owners.get(&hash, |_| true) {
        Some(owner) => (owner, false),
        None => match db.api_token_owner(&hash).await? {
            Some(owner) => (owner, true),
            None => return Ok(None),
        },
    };
    let now = Utc::now();
    if now - owner.token_last_used_at > TOUCH_EVERY {
        // Kept as touched first, so that the calls behind this one do not touch too.
        let touched = TokenOwner {
            token_last_used_at: now,
            ..owner.clone()
        };
        owners.put(hash.clone(), touched, generation);
        db.touch_api_token(&hash, owner.account_id, now).await?;
    } else if read {
        owners.put(hash, owner.clone(), generation);
    }
    Ok(Some(owner))
}
