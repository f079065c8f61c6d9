//! How values are shown to Vietnamese staff: dd/mm/yyyy, Asia/Ho_Chi_Minh.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// A moment as `dd/mm/yyyy HH:MM`, Vietnam time.
pub fn date_time(moment: DateTime<Utc>) -> String {
    // Written out rather than through `format("%d/%m/%Y %H:%M")`, which parses
    // its pattern on every call: a list page formats a hundred of these.
    let local = moment.with_timezone(&Ho_Chi_Minh);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}",
        local.day(),
        local.month(),
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// A calendar day as `dd/mm/yyyy`.
pub fn date(day: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", day.day(), day.month(), day.year())
}

/// A count with its thousands grouped as the page's language writes them:
/// `76.923` in Vietnamese, `76,923` in English.
pub fn count(value: i64) -> String {
    let separator = match crate::i18n::use_language() {
        crate::domain::Language::Vi => '.',
        crate::domain::Language::En => ',',
    };
    grouped(value, separator)
}

fn grouped(value: i64, separator: char) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A ticket's branch code, or "unrouted" (in the page's language) when it has none yet.
pub fn branch_or_unrouted(branch: Option<&crate::domain::BranchCode>) -> String {
    branch.map_or_else(
        || crate::i18n::t(crate::i18n::Key::Unrouted).to_owned(),
        ToString::to_string,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0, '.'), "0");
        assert_eq!(grouped(999, '.'), "999");
        assert_eq!(grouped(1000, '.'), "1.000");
        assert_eq!(grouped(76923, '.'), "76.923");
        assert_eq!(grouped(1_000_000, ','), "1,000,000");
        assert_eq!(grouped(-1234, '.'), "-1.234");
    }

    #[test]
    fn shows_vietnam_time_day_first() {
        let moment = Utc
            .with_ymd_and_hms(2026, 12, 31, 18, 5, 0)
            .single()
            .expect("valid");
        assert_eq!(date_time(moment), "01/01/2027 01:05");
    }

    #[test]
    fn shows_a_day_day_first() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).expect("valid");
        assert_eq!(date(day), "05/03/2026");
    }
}
