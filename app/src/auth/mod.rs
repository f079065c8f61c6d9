//! Who is asking, and what they may do.

mod current_user;
mod password;
mod permission;
mod session;
mod sign_in;
mod signed_in_cache;

pub use current_user::{CurrentUser, resolve_current_user};
pub use password::{hash_password, verify_password};
pub use permission::{Permission, Scope, authorize};
pub use session::{AuthSession, SESSION_IDLE};
pub use sign_in::{ACCOUNT_POLICY, ADDRESS_POLICY, SignInAttempt, sign_in};
pub use signed_in_cache::{REUSE_FOR, SignedInCache, accounts_changed};
