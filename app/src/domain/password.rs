use super::Username;

/// A password chosen for a staff account, checked against the policy; never logged or shown.
pub struct NewPassword(String);

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least 10 characters")]
    TooShort,
    #[error("a password has at most 200 characters")]
    TooLong,
    #[error("a password must not contain the username")]
    ContainsUsername,
}

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(input: &str, username: &Username) -> Result<NewPassword, PasswordError> {
        let length = input.chars().count();
        if length < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if length > 200 {
            return Err(PasswordError::TooLong);
        }
        if input.to_lowercase().contains(username.as_str()) {
            return Err(PasswordError::ContainsUsername);
        }
        Ok(NewPassword(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(value: &str) -> Username {
        Username::parse(value).expect("valid username")
    }

    #[test]
    fn enforces_length_and_username_rules() {
        let user = name("thuy.nguyen");
        assert_eq!(
            NewPassword::parse("short", &user).err(),
            Some(PasswordError::TooShort)
        );
        assert_eq!(
            NewPassword::parse("xxThuy.Nguyen2026", &user).err(),
            Some(PasswordError::ContainsUsername)
        );
        assert!(NewPassword::parse("mưa-rào-tháng-12", &user).is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let password = NewPassword::parse("a-secret-value", &name("someone")).expect("valid");
        assert!(!format!("{password:?}").contains("secret"));
    }
}
