//! Domain values: parsed once at the edge (form, API payload, CLI), trusted after.

mod branch;
mod ids;
mod language;
mod password;
mod role;
mod username;

pub use branch::BranchCode;
pub use ids::UserId;
pub use language::Language;
pub use password::{NewPassword, PasswordError};
pub use role::Role;
pub use username::{Username, UsernameError};
