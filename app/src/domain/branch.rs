use serde::{Deserialize, Serialize};

/// The code of a member water-supply company (đơn vị), as the seed lists them.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
pub struct BranchCode(String);

impl BranchCode {
    /// The twelve codes of the seed's branch table, in its order.
    pub const ALL: [&'static str; 12] = [
        "SG", "CL", "GD", "TD", "PH", "NB", "TH", "TA", "CG", "NT", "TN", "HM",
    ];

    /// Accepts one of the seed's codes, in any letter case.
    pub fn parse(input: &str) -> Result<BranchCode, String> {
        let code = input.trim().to_ascii_uppercase();
        if Self::ALL.contains(&code.as_str()) {
            Ok(BranchCode(code))
        } else {
            Err(format!(
                "unknown branch code {:?}; allowed: {}",
                input.trim(),
                Self::ALL.join(", ")
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BranchCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_seed_code_in_any_case() {
        for code in BranchCode::ALL {
            assert_eq!(BranchCode::parse(code).map(|c| c.0), Ok(code.to_owned()));
            assert_eq!(
                BranchCode::parse(&code.to_lowercase()).map(|c| c.0),
                Ok(code.to_owned())
            );
        }
    }

    #[test]
    fn refuses_unknown_codes_and_lists_the_allowed_ones() {
        let error = BranchCode::parse("XX").expect_err("XX is not a branch");
        assert!(error.contains("XX") && error.contains("SG, CL"), "{error}");
        assert!(BranchCode::parse("").is_err());
    }
}
