use serde::{Deserialize, Serialize};

/// A staff account's sign-in name: 3–40 characters of `a-z 0-9 . _ -`, stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a username has 3 to 40 characters")]
    Length,
    #[error("a username uses only letters a-z, digits and . _ -")]
    Characters,
}

impl Username {
    pub fn parse(input: &str) -> Result<Username, UsernameError> {
        let name = input.trim().to_lowercase();
        let length = name.chars().count();
        if !(3..=40).contains(&length) {
            return Err(UsernameError::Length);
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(UsernameError::Characters);
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            Username::parse("  Agent.GD_01 ").map(|u| u.0),
            Ok("agent.gd_01".into())
        );
    }

    #[test]
    fn refuses_short_long_and_odd_names() {
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(41)), Err(UsernameError::Length));
        assert_eq!(Username::parse("nguyễn"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("a b c"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("x'; drop"), Err(UsernameError::Characters));
    }
}
