//! Who is asking, and what they may do.

mod account_reads;
mod current_user;
mod password;
mod permission;
mod session;
mod sign_in;

pub use account_reads::{
    AccountReads, AssignableStaffCache, REUSE_FOR, SignedInCache, accounts_changed,
};
pub use current_user::{CurrentUser, resolve_current_user};
pub use password::{hash_password, verify_password};
pub use permission::{Permission, Scope, authorize};
pub use session::{AuthSession, SESSION_IDLE};
pub use sign_in::{ACCOUNT_POLICY, ADDRESS_POLICY, SignInAttempt, sign_in};
