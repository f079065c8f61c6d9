//! Domain values: parsed once at the edge (form, API payload, CLI), trusted after.

mod api_account;
mod base_url;
mod billing_period;
mod branch;
mod citizen_id;
mod contract_code;
pub mod fold;
mod ids;
mod language;
mod password;
mod phone;
mod role;
mod ticket;
mod username;

pub use api_account::ApiAccountKind;
pub use base_url::{BaseUrl, BaseUrlError};
pub use billing_period::{BillingPeriod, BillingPeriodError};
pub use branch::BranchCode;
pub use citizen_id::{CitizenId, CitizenIdError};
pub use contract_code::{ContractCode, ContractCodeError};
pub use ids::{ReadingWindowId, UserId};
pub use language::Language;
pub use password::{NewPassword, PasswordError};
pub use phone::{Phone, PhoneError};
pub use role::Role;
pub use ticket::{TicketId, TicketSource, TicketStatus, TransitionRefusal};
pub use username::{Username, UsernameError};
