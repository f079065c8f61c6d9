//! Pieces shared by the pages.

pub mod form;
pub mod layout;

pub use form::{ErrorBanner, Notice, SelectField, TextArea, TextField, submission_error};
pub use layout::Layout;
