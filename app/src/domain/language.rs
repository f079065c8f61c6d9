use serde::{Deserialize, Serialize};

/// The language a staff member reads the portal in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }

    /// Reads a stored or submitted code; anything unknown falls back to Vietnamese.
    pub fn from_code(code: &str) -> Language {
        match code.trim() {
            "en" => Language::En,
            _ => Language::Vi,
        }
    }

    pub fn other(self) -> Language {
        match self {
            Language::Vi => Language::En,
            Language::En => Language::Vi,
        }
    }
}
