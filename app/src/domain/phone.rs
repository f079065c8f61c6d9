use serde::{Deserialize, Serialize};

/// A Vietnamese phone number, stored as `84` + the national number (E.164 without `+`).
///
/// Accepted as `0xxxxxxxxx`, `84xxxxxxxxx` or `+84…`, with spaces, dots or dashes;
/// the old 11-digit mobile numbers (`0162…`, `0120…`, …) are mapped to today's
/// 10-digit ones, so one subscriber has one stored form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct Phone(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a phone number is written 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx")]
pub struct PhoneError;

/// The 2018 renumbering of 11-digit mobile numbers: old prefix → new prefix
/// (national numbers, without the leading 0).
const OLD_MOBILE_PREFIXES: [(&str, &str); 23] = [
    ("120", "70"),
    ("121", "79"),
    ("122", "77"),
    ("126", "76"),
    ("128", "78"),
    ("123", "83"),
    ("124", "84"),
    ("125", "85"),
    ("127", "81"),
    ("129", "82"),
    ("162", "32"),
    ("163", "33"),
    ("164", "34"),
    ("165", "35"),
    ("166", "36"),
    ("167", "37"),
    ("168", "38"),
    ("169", "39"),
    ("186", "56"),
    ("188", "58"),
    ("199", "59"),
    ("182", "52"),
    ("992", "592"),
];

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let trimmed = input.trim();
        let digits: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let digits = digits.strip_prefix('+').unwrap_or(&digits);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError);
        }
        let national = if let Some(rest) = digits.strip_prefix("84").filter(|rest| rest.len() >= 9)
        {
            rest
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else {
            return Err(PhoneError);
        };
        let national = national.strip_prefix('0').unwrap_or(national);
        let national = match national.len() {
            // Mobile (3, 5, 7, 8, 9) numbers have 9 digits.
            9 if matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9') => {
                national.to_owned()
            }
            // Landlines: area code 2x and 8 digits; or an old 11-digit mobile number.
            10 if national.starts_with('2') => national.to_owned(),
            10 => OLD_MOBILE_PREFIXES
                .iter()
                .find(|(old, _)| national.starts_with(old))
                .map(|(old, new)| format!("{new}{}", &national[old.len()..]))
                .filter(|mapped| mapped.len() == 9)
                .ok_or(PhoneError)?,
            _ => return Err(PhoneError),
        };
        Ok(Phone(format!("84{national}")))
    }

    /// The stored form, `84…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As Vietnamese staff write it: `0912 345 678`, `028 3822 1234`.
    pub fn display(&self) -> String {
        let national = &self.0[2..];
        if national.len() == 9 {
            format!("0{} {} {}", &national[..3], &national[3..6], &national[6..])
        } else {
            format!("0{} {} {}", &national[..2], &national[2..6], &national[6..])
        }
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(input: &str) -> Result<String, PhoneError> {
        Phone::parse(input).map(|phone| phone.0)
    }

    #[test]
    fn every_written_form_of_one_mobile_is_one_phone() {
        for input in [
            "0912345678",
            "84912345678",
            "+84912345678",
            "+84 912 345 678",
            "0912.345.678",
            "(+84) 912-345-678",
        ] {
            assert_eq!(stored(input), Ok("84912345678".into()), "{input}");
        }
    }

    #[test]
    fn old_eleven_digit_mobiles_become_todays_numbers() {
        assert_eq!(stored("01692345678"), Ok("84392345678".into()));
        assert_eq!(stored("841202345678"), Ok("84702345678".into()));
        assert_eq!(stored("01882345678"), Ok("84582345678".into()));
    }

    #[test]
    fn landlines_keep_their_area_code() {
        assert_eq!(stored("028 3822 1234"), Ok("842838221234".into()));
        assert_eq!(
            Phone::parse("02838221234").map(|p| p.display()),
            Ok("028 3822 1234".into())
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for input in [
            "",
            "12345",
            "0912 345 67",
            "09123456789",
            "abc0912345678",
            "0112345678",
            "+1 415 555 0100",
            "0612345678",
        ] {
            assert_eq!(stored(input), Err(PhoneError), "{input}");
        }
    }

    #[test]
    fn shows_the_national_form() {
        assert_eq!(
            Phone::parse("84912345678").map(|p| p.display()),
            Ok("0912 345 678".into())
        );
    }
}
