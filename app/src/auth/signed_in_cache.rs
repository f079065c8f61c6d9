//! Sessions resolved a moment ago, so that a burst of requests on one session
//! costs one database read instead of one each.
//!
//! Resolving a request's account is a statement on every request (the session
//! joined to its account); on a ticket page that is one of its two statements,
//! and a sixth of its cost. An entry here answers instead while:
//! - it is younger than [`REUSE_FOR`];
//! - its session has not expired;
//! - nothing in this process wrote an account, or deleted a session, since it
//!   was read: the store calls [`accounts_changed`] after each such write, which
//!   moves a process-wide generation every entry is stamped with;
//! - its own session row was not saved since (a renewal: [`SignedInCache::forget`]).
//!   Renewals are the frequent session write — each active session's every
//!   10 minutes — and must not empty everyone's entries.
//!
//! A deactivation, password reset, role change or sign-out made through this
//! portal is therefore seen by the very next request, as without the cache. One
//! made by another process (the `tcrm user` CLI, or a second portal on the same
//! PostgreSQL) is seen within [`REUSE_FOR`]; the CLI creates staff accounts but
//! changes none.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::CurrentUser;

/// How long a resolved session is reused without reading it again.
pub const REUSE_FOR: Duration = Duration::from_secs(5);

/// Beyond this many sessions, entries too old to be used are dropped (and, if
/// that is not enough, all of them).
const CAPACITY: usize = 10_000;

/// Moved by every write to an account or a session in this process.
static ACCOUNT_WRITES: AtomicU64 = AtomicU64::new(0);

/// Invalidates every cached session of this process. The store calls it after
/// (never before) each write to `staff_users`, and each deletion from
/// `staff_sessions`, commits, so a read that raced the write carries the older
/// generation and is not reused.
pub fn accounts_changed() {
    ACCOUNT_WRITES.fetch_add(1, Ordering::SeqCst);
}

#[derive(Debug)]
struct Entry {
    user: CurrentUser,
    session_expires_at: DateTime<Utc>,
    read_at: Instant,
    generation: u64,
}

impl Entry {
    fn usable(&self, now: DateTime<Utc>, generation: u64) -> bool {
        self.generation == generation
            && self.read_at.elapsed() < REUSE_FOR
            && self.session_expires_at > now
    }
}

/// The cache of one running portal (in its `AppState`).
#[derive(Debug)]
pub struct SignedInCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// The count of account writes it follows: [`ACCOUNT_WRITES`] but in tests.
    writes: &'static AtomicU64,
}

impl Default for SignedInCache {
    fn default() -> SignedInCache {
        SignedInCache {
            entries: Mutex::default(),
            writes: &ACCOUNT_WRITES,
        }
    }
}

impl SignedInCache {
    /// The generation to stamp a read with: taken before the read.
    pub fn generation(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// The account and the session's deadline read for `session_id` a moment
    /// ago, if still usable (see the module's documentation).
    pub fn get(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Option<(CurrentUser, DateTime<Utc>)> {
        let generation = self.generation();
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(session_id)
            .filter(|entry| entry.usable(now, generation))
            .map(|entry| (entry.user.clone(), entry.session_expires_at))
    }

    /// Keeps what a read stamped with `generation` (taken before it) found.
    pub fn put(
        &self,
        session_id: String,
        user: CurrentUser,
        session_expires_at: DateTime<Utc>,
        generation: u64,
    ) {
        let now = Utc::now();
        let current = self.generation();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&session_id) {
            entries.retain(|_, entry| entry.usable(now, current));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            session_id,
            Entry {
                user,
                session_expires_at,
                read_at: Instant::now(),
                generation,
            },
        );
    }

    /// Drops what was read for `session_id` (its row was just written).
    pub fn forget(&self, session_id: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(session_id);
    }

    /// How many sessions are held (usable or not).
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Language, Role, UserId, Username};

    /// A cache following its own count of writes, apart from other tests'.
    fn cache() -> (SignedInCache, &'static AtomicU64) {
        let writes: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
        let cache = SignedInCache {
            entries: Mutex::default(),
            writes,
        };
        (cache, writes)
    }

    fn changed(writes: &AtomicU64) {
        writes.fetch_add(1, Ordering::SeqCst);
    }

    fn agent() -> CurrentUser {
        CurrentUser {
            id: UserId(7),
            username: Username::parse("agent.gd").expect("valid username"),
            display_name: "Nguyễn Thị Lan".to_owned(),
            role: Role::BranchStaff,
            branch: None,
            language: Language::Vi,
            must_change_password: false,
        }
    }

    #[test]
    fn a_session_read_a_moment_ago_is_reused_until_anything_changes() {
        let (cache, writes) = cache();
        let now = Utc::now();
        let deadline = now + chrono::Duration::hours(8);
        cache.put("s1".to_owned(), agent(), deadline, cache.generation());
        assert_eq!(cache.get("s1", now), Some((agent(), deadline)));
        assert_eq!(cache.get("s2", now), None, "another session is not known");
        cache.put("s2".to_owned(), agent(), deadline, cache.generation());
        cache.forget("s2");
        assert_eq!(cache.get("s2", now), None, "its row was written");
        assert!(cache.get("s1", now).is_some(), "another's row was not");
        changed(writes);
        assert_eq!(cache.get("s1", now), None, "a write overtook the read");
    }

    #[test]
    fn a_read_overtaken_while_it_ran_is_never_reused() {
        let (cache, writes) = cache();
        let now = Utc::now();
        let before_the_read = cache.generation();
        changed(writes);
        cache.put(
            "s1".to_owned(),
            agent(),
            now + chrono::Duration::hours(8),
            before_the_read,
        );
        assert_eq!(cache.get("s1", now), None);
    }

    #[test]
    fn an_expired_session_is_not_reused() {
        let (cache, _) = cache();
        let now = Utc::now();
        let deadline = now + chrono::Duration::seconds(1);
        cache.put("s1".to_owned(), agent(), deadline, cache.generation());
        assert!(cache.get("s1", now).is_some());
        assert_eq!(cache.get("s1", now + chrono::Duration::seconds(2)), None);
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let (cache, _) = cache();
        let deadline = Utc::now() + chrono::Duration::hours(8);
        for session in 0..CAPACITY + 10 {
            cache.put(session.to_string(), agent(), deadline, cache.generation());
        }
        assert!(cache.len() <= CAPACITY);
        assert!(!cache.is_empty());
    }
}
