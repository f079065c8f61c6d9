//! Reads of accounts made a moment ago, reused instead of read again: the
//! account behind a session (every request resolves one), the staff a
//! branch's tickets may be assigned to (every ticket page lists them), and the
//! API account behind a token (every partner API call checks one:
//! `crate::api_accounts::TokenOwners`, reused for a second only).
//!
//! Resolving a request's account is a statement on every request (the session
//! joined to its account); on a ticket page that was one of its two statements,
//! and a sixth of its cost. An entry answers instead while:
//! - it is younger than its cache's period ([`REUSE_FOR`] unless the cache
//!   says: a token's owner, one second);
//! - nothing in this process wrote an account, or deleted a session, since it
//!   was read: the store calls [`accounts_changed`] after each such write, which
//!   moves a process-wide generation every entry is stamped with;
//! - what else its cache checks holds: a session must not have expired, nor its
//!   own row been saved since (a renewal: [`AccountReads::forget`]). Renewals
//!   are the frequent session write — each active session's every 10 minutes —
//!   and must not empty everyone's entries.
//!
//! A deactivation, password reset, role change or sign-out made through this
//! portal — or an API account's password change, deactivation or token
//! issue — is therefore seen by the very next request, as without the cache. One
//! made by another process (a second portal on the same PostgreSQL) is seen
//! within the period; the CLI creates staff accounts but changes none, and
//! an account it creates is offered for assignment within [`REUSE_FOR`]. The
//! CLI does change API accounts (`tcrm api-account rotate-password`,
//! `deactivate`): a running portal refuses their tokens within a second.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::CurrentUser;
use crate::domain::{BranchCode, UserId};

/// How long a read is reused without reading it again.
pub const REUSE_FOR: Duration = Duration::from_secs(5);

/// Beyond this many entries, those too old to be used are dropped (and, if that
/// is not enough, all of them).
const CAPACITY: usize = 10_000;

/// Moved by every write to an account, and every deletion of a session, in
/// this process.
static ACCOUNT_WRITES: AtomicU64 = AtomicU64::new(0);

/// Invalidates every read of an account this process reuses. The store calls it
/// after (never before) each write to `staff_users`, and each deletion from
/// `staff_sessions`, commits, so a read that raced the write carries the older
/// generation and is not reused.
pub fn accounts_changed() {
    ACCOUNT_WRITES.fetch_add(1, Ordering::SeqCst);
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    read_at: Instant,
    generation: u64,
}

impl<V> Entry<V> {
    fn fresh(&self, generation: u64, reuse_for: Duration) -> bool {
        self.generation == generation && self.read_at.elapsed() < reuse_for
    }
}

/// Values read from the accounts a moment ago, by key.
#[derive(Debug)]
pub struct AccountReads<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// The count of account writes it follows: [`ACCOUNT_WRITES`] but in tests.
    writes: &'static AtomicU64,
    /// How long a read is reused: [`REUSE_FOR`] unless [`AccountReads::reused_for`] says.
    reuse_for: Duration,
}

impl<K, V> Default for AccountReads<K, V> {
    fn default() -> Self {
        AccountReads {
            entries: Mutex::default(),
            writes: &ACCOUNT_WRITES,
            reuse_for: REUSE_FOR,
        }
    }
}

impl<K, V> AccountReads<K, V> {
    /// A cache whose reads are reused for `period` rather than [`REUSE_FOR`].
    pub fn reused_for(period: Duration) -> Self {
        AccountReads {
            reuse_for: period,
            ..AccountReads::default()
        }
    }
}

impl<K: Eq + Hash, V: Clone> AccountReads<K, V> {
    fn entries(&self) -> MutexGuard<'_, HashMap<K, Entry<V>>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The generation to stamp a read with: taken before the read.
    pub fn generation(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// What was read for `key` a moment ago, if nothing overtook it and
    /// `still` holds of it.
    pub fn get<Q>(&self, key: &Q, still: impl FnOnce(&V) -> bool) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let generation = self.generation();
        self.entries()
            .get(key)
            .filter(|entry| entry.fresh(generation, self.reuse_for) && still(&entry.value))
            .map(|entry| entry.value.clone())
    }

    /// Keeps what a read stamped with `generation` (taken before it) found.
    pub fn put(&self, key: K, value: V, generation: u64) {
        let current = self.generation();
        let mut entries = self.entries();
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.fresh(current, self.reuse_for));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let read_at = Instant::now();
        entries.insert(
            key,
            Entry {
                value,
                read_at,
                generation,
            },
        );
    }

    /// Drops what was read for `key` (its row was just written).
    pub fn forget<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries().remove(key);
    }

    /// How many entries are held (usable or not).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

/// Sessions resolved a moment ago: the account, and the session's deadline.
#[derive(Debug, Default)]
pub struct SignedInCache(AccountReads<String, (CurrentUser, DateTime<Utc>)>);

impl SignedInCache {
    pub fn generation(&self) -> u64 {
        self.0.generation()
    }

    /// The account and the session's deadline read for `session_id` a moment
    /// ago, if still usable and the session has not expired by `now`.
    pub fn get(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Option<(CurrentUser, DateTime<Utc>)> {
        self.0.get(session_id, |(_, expires_at)| *expires_at > now)
    }

    pub fn put(
        &self,
        session_id: String,
        user: CurrentUser,
        session_expires_at: DateTime<Utc>,
        generation: u64,
    ) {
        self.0
            .put(session_id, (user, session_expires_at), generation);
    }

    /// Drops what was read for `session_id` (its row was just saved).
    pub fn forget(&self, session_id: &str) {
        self.0.forget(session_id);
    }
}

/// Active staff whom a branch's tickets (`None`: unrouted ones) may be assigned
/// to, by name, read a moment ago (see `Db::assignable_staff`).
pub type AssignableStaffCache = AccountReads<Option<BranchCode>, Arc<Vec<(UserId, String)>>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Language, Role, Username};

    /// A cache following its own count of writes, apart from other tests'.
    fn cache<K, V>() -> (AccountReads<K, V>, &'static AtomicU64) {
        let writes: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
        let cache = AccountReads {
            writes,
            ..AccountReads::default()
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
        let (reads, writes) = cache();
        let sessions = SignedInCache(reads);
        let now = Utc::now();
        let deadline = now + chrono::Duration::hours(8);
        sessions.put("s1".to_owned(), agent(), deadline, sessions.generation());
        assert_eq!(sessions.get("s1", now), Some((agent(), deadline)));
        assert_eq!(
            sessions.get("s2", now),
            None,
            "another session is not known"
        );
        sessions.put("s2".to_owned(), agent(), deadline, sessions.generation());
        sessions.forget("s2");
        assert_eq!(sessions.get("s2", now), None, "its row was written");
        assert!(sessions.get("s1", now).is_some(), "another's row was not");
        changed(writes);
        assert_eq!(sessions.get("s1", now), None, "a write overtook the read");
    }

    #[test]
    fn a_read_overtaken_while_it_ran_is_never_reused() {
        let (reads, writes) = cache();
        let sessions = SignedInCache(reads);
        let now = Utc::now();
        let before_the_read = sessions.generation();
        changed(writes);
        sessions.put(
            "s1".to_owned(),
            agent(),
            now + chrono::Duration::hours(8),
            before_the_read,
        );
        assert_eq!(sessions.get("s1", now), None);
    }

    #[test]
    fn an_expired_session_is_not_reused() {
        let (reads, _) = cache();
        let sessions = SignedInCache(reads);
        let now = Utc::now();
        let deadline = now + chrono::Duration::seconds(1);
        sessions.put("s1".to_owned(), agent(), deadline, sessions.generation());
        assert!(sessions.get("s1", now).is_some());
        assert_eq!(sessions.get("s1", now + chrono::Duration::seconds(2)), None);
    }

    #[test]
    fn assignable_staff_are_kept_per_branch_until_an_account_changes() {
        let (staff, writes): (AssignableStaffCache, _) = cache();
        let gd = BranchCode::parse("GD").expect("a branch");
        let gd_staff = Arc::new(vec![(UserId(3), "Trần Văn Bình".to_owned())]);
        staff.put(Some(gd.clone()), gd_staff.clone(), staff.generation());
        assert_eq!(staff.get(&Some(gd.clone()), |_| true), Some(gd_staff));
        assert_eq!(
            staff.get(&None, |_| true),
            None,
            "unrouted tickets' staff were not read"
        );
        changed(writes);
        assert_eq!(staff.get(&Some(gd), |_| true), None);
    }

    #[test]
    fn a_cache_reuses_its_reads_only_for_its_own_period() {
        let (mut reads, _) = cache::<String, u8>();
        reads.reuse_for = Duration::ZERO;
        reads.put("token".to_owned(), 1, reads.generation());
        assert_eq!(reads.get("token", |_| true), None);
        reads.reuse_for = Duration::from_secs(60);
        assert_eq!(reads.get("token", |_| true), Some(1));
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let (reads, _) = cache();
        let deadline = Utc::now() + chrono::Duration::hours(8);
        for session in 0..CAPACITY + 10 {
            reads.put(session.to_string(), (agent(), deadline), reads.generation());
        }
        assert!(reads.len() <= CAPACITY);
        assert!(reads.len() > 0, "the newest entry is kept");
    }
}
