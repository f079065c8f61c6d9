use serde::{Deserialize, Serialize};

/// A citizen id number: 12 digits (CCCD) or 9 digits (the old CMND). Personal data:
/// never logged; `Debug` shows only its last three digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct CitizenId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a citizen id has 12 digits (CCCD) or 9 digits (CMND)")]
pub struct CitizenIdError;

impl CitizenId {
    pub fn parse(input: &str) -> Result<CitizenId, CitizenIdError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if matches!(digits.len(), 9 | 12) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CitizenId(digits))
        } else {
            Err(CitizenIdError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown on screens where the whole number is not needed: `*********123`.
    pub fn masked(&self) -> String {
        let visible = &self.0[self.0.len() - 3..];
        format!("{}{visible}", "*".repeat(self.0.len() - 3))
    }
}

impl std::fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cccd_and_cmnd() {
        assert!(CitizenId::parse("079 201 012 345").is_ok());
        assert!(CitizenId::parse("123456789").is_ok());
        assert_eq!(CitizenId::parse("12345678901"), Err(CitizenIdError));
        assert_eq!(CitizenId::parse("07920101234x"), Err(CitizenIdError));
    }

    #[test]
    fn debug_masks_the_number() {
        let id = CitizenId::parse("079201012345").expect("valid");
        assert_eq!(format!("{id:?}"), "CitizenId(*********345)");
    }
}
