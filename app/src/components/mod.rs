//! Pieces shared by the pages.

pub mod form;
pub mod layout;

pub use form::{ErrorBanner, Notice, SelectField, TextArea, TextField};
pub use layout::Layout;
