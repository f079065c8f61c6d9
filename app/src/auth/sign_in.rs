//! Staff sign-in: throttled per account and per address, one answer for every failure.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use super::{AuthSession, verify_password};
use crate::domain::{UserId, Username};
use crate::error::AppError;
use crate::store::Db;
use crate::store::login_throttle::ThrottlePolicy;

/// Five wrong passwords lock an account for 30 s, doubling with each further failure.
pub const ACCOUNT_POLICY: ThrottlePolicy = ThrottlePolicy {
    threshold: 5,
    base: Duration::seconds(30),
    max: Duration::seconds(3600),
    forget_after: Duration::seconds(3600),
};

/// An address is allowed more failures (a shared office NAT), then locks the same way.
pub const ADDRESS_POLICY: ThrottlePolicy = ThrottlePolicy {
    threshold: 20,
    base: Duration::seconds(30),
    max: Duration::seconds(3600),
    forget_after: Duration::seconds(3600),
};

/// What the sign-in form sent.
pub struct SignInAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub address: Option<IpAddr>,
}

fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

fn address_key(address: IpAddr) -> String {
    format!("ip:{address}")
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> AppError {
    let seconds = (until - now).num_seconds().max(1);
    AppError::LockedOut {
        retry_after_secs: u64::try_from(seconds).unwrap_or(1),
    }
}

/// Checks the credentials and, when they are right, signs the session in.
#[tracing::instrument(skip_all, fields(username = %attempt.username.trim()))]
pub async fn sign_in(
    db: &Db,
    session: &AuthSession,
    attempt: SignInAttempt<'_>,
) -> Result<UserId, AppError> {
    let now = Utc::now();
    let account = account_key(attempt.username);
    let address = attempt.address.map(address_key);
    for key in std::iter::once(&account).chain(address.as_ref()) {
        if let Some(until) = db.throttle_locked_until(key, now).await? {
            tracing::info!(key = %key, "sign-in refused: locked");
            return Err(locked(until, now));
        }
    }

    let user = match Username::parse(attempt.username) {
        Ok(username) => db.staff_user_by_username(&username).await?,
        Err(_) => None,
    };
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let password_ok = verify_password(attempt.password.to_owned(), stored_hash)
        .await
        .map_err(|error| {
            tracing::error!(?error, "verifying a password");
            AppError::Internal
        })?;

    match user {
        Some(user) if password_ok && user.active => {
            db.throttle_clear(&account).await?;
            db.record_staff_sign_in(user.id).await?;
            session
                .sign_in(user.id, user.session_epoch)
                .await
                .map_err(|error| {
                    tracing::error!(?error, "writing the session");
                    AppError::Internal
                })?;
            tracing::info!(user_id = %user.id, "signed in");
            Ok(user.id)
        }
        _ => {
            let mut lock = db
                .throttle_record_failure(&account, &ACCOUNT_POLICY, now)
                .await?;
            if let Some(key) = &address {
                let address_lock = db
                    .throttle_record_failure(key, &ADDRESS_POLICY, now)
                    .await?;
                lock = lock.max(address_lock);
            }
            tracing::info!("sign-in refused: invalid credentials");
            match lock {
                Some(until) => Err(locked(until, now)),
                None => Err(AppError::InvalidCredentials),
            }
        }
    }
}
