use serde::{Deserialize, Serialize};

/// A contract code (mã danh bộ): 11 digits, shown as `XXXX XXX XXXX`.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
pub struct ContractCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a contract code (mã danh bộ) has exactly 11 digits")]
pub struct ContractCodeError;

impl ContractCode {
    /// Accepts 11 digits, spaces, dots and dashes between them ignored.
    pub fn parse(input: &str) -> Result<ContractCode, ContractCodeError> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(ContractCode(digits))
        } else {
            Err(ContractCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn display(&self) -> String {
        format!("{} {} {}", &self.0[..4], &self.0[4..7], &self.0[7..])
    }
}

impl std::fmt::Display for ContractCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_eleven_digits_in_any_grouping() {
        assert_eq!(
            ContractCode::parse("1234 567 8901").map(|c| c.0),
            Ok("12345678901".into())
        );
        assert_eq!(
            ContractCode::parse("12345678901").map(|c| c.display()),
            Ok("1234 567 8901".into())
        );
    }

    #[test]
    fn refuses_other_lengths_and_letters() {
        for input in [
            "",
            "1234567890",
            "123456789012",
            "1234567890a",
            "abcdefghijk",
        ] {
            assert_eq!(
                ContractCode::parse(input),
                Err(ContractCodeError),
                "{input}"
            );
        }
    }
}
