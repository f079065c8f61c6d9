//! Typed reads of payload fields: each wrong value is recorded under its field
//! name with what is allowed, so one `422` lists every problem at once.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde_json::Value;
use tcrm_app::domain::{BranchCode, CitizenId, ContractCode, Phone};

use super::error::FieldErrors;
use super::payload::as_text;

/// Reads fields out of a key → value map, collecting errors.
pub struct FieldReader<'a> {
    fields: &'a BTreeMap<String, Value>,
    /// Prefix for error names (`members.0.`), empty at the top level.
    prefix: String,
    pub errors: FieldErrors,
}

impl<'a> FieldReader<'a> {
    pub fn new(fields: &'a BTreeMap<String, Value>, prefix: &str) -> FieldReader<'a> {
        FieldReader {
            fields,
            prefix: prefix.to_owned(),
            errors: FieldErrors::new(),
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(format!("{}{field}", self.prefix))
            .or_insert_with(|| message.into());
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields
            .get(field)
            .and_then(as_text)
            .is_some_and(|text| !text.trim().is_empty())
    }

    /// Present at all (even empty or null)?
    pub fn sent(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The raw text of a field (trimmed), empty when absent or null.
    pub fn raw(&mut self, field: &str) -> String {
        match self.fields.get(field) {
            None => String::new(),
            Some(value) => match as_text(value) {
                Some(text) => text.trim().to_owned(),
                None => {
                    self.error(field, "expected text or a number, not a list or object");
                    String::new()
                }
            },
        }
    }

    /// Text of at most `max` characters, stored as sent.
    pub fn text(&mut self, field: &str, max: usize) -> String {
        let text = self.raw(field);
        if text.chars().count() > max {
            self.error(field, format!("at most {max} characters"));
        }
        text
    }

    pub fn required_text(&mut self, field: &str, max: usize) -> String {
        let text = self.text(field, max);
        if text.is_empty() {
            self.error(field, "required");
        }
        text
    }

    /// A whole number (as a number or a string), accepted when `allowed` says so.
    pub fn int(
        &mut self,
        field: &str,
        allowed: impl Fn(i64) -> bool,
        describe: &str,
    ) -> Option<i64> {
        let text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        let number = text.parse::<i64>().ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        });
        match number {
            Some(number) if allowed(number) => Some(number),
            _ => {
                self.error(
                    field,
                    format!("expected {describe}; got {:?}", shorten(&text)),
                );
                None
            }
        }
    }

    pub fn required_int(
        &mut self,
        field: &str,
        allowed: impl Fn(i64) -> bool,
        describe: &str,
    ) -> Option<i64> {
        let value = self.int(field, allowed, describe);
        if value.is_none() && !self.has(field) {
            self.error(field, format!("required: {describe}"));
        }
        value
    }

    /// A Vietnamese phone: `0xxxxxxxxx`, `84xxxxxxxxx` or `+84…`; a JSON number that
    /// lost its leading zero (`912323233`) is read as `0912323233`.
    pub fn phone(&mut self, field: &str) -> Option<Phone> {
        let mut text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        if matches!(self.fields.get(field), Some(Value::Number(_))) && text.len() == 9 {
            text.insert(0, '0');
        }
        match Phone::parse(&text) {
            Ok(phone) => Some(phone),
            Err(_) => {
                self.error(
                    field,
                    "not a Vietnamese phone number; expected 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx",
                );
                None
            }
        }
    }

    pub fn contract_code(&mut self, field: &str) -> Option<ContractCode> {
        let text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        match ContractCode::parse(&text) {
            Ok(code) => Some(code),
            Err(_) => {
                self.error(field, "a contract code (mã danh bộ) has 11 digits");
                None
            }
        }
    }

    pub fn citizen_id(&mut self, field: &str) -> Option<CitizenId> {
        let text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        match CitizenId::parse(&text) {
            Ok(id) => Some(id),
            Err(_) => {
                // Never echo a citizen id back.
                self.error(
                    field,
                    "not a citizen id: 12 digits (CCCD) or 9 digits (old CMND)",
                );
                None
            }
        }
    }

    pub fn branch(&mut self, field: &str) -> Option<BranchCode> {
        let text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        match BranchCode::parse(&text) {
            Ok(code) => Some(code),
            Err(_) => {
                self.error(
                    field,
                    format!("unknown branch; one of {}", BranchCode::ALL.join(", ")),
                );
                None
            }
        }
    }

    pub fn email(&mut self, field: &str) -> String {
        let text = self.text(field, 255);
        let valid = text.is_empty()
            || text
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !valid {
            self.error(field, "not an email address (name@domain.vn)");
        }
        text
    }

    /// A decimal coordinate within `limit` degrees, kept as sent.
    pub fn coordinate(&mut self, field: &str, limit: f64) -> String {
        let text = self.text(field, 60);
        if !text.is_empty() && !text.parse::<f64>().is_ok_and(|v| v.abs() <= limit) {
            self.error(
                field,
                format!("expected a decimal number between -{limit} and {limit}"),
            );
        }
        text
    }

    /// A date and time: `2024-02-15 12:05:01` (Vietnam time), RFC 3339,
    /// `yyyy-mm-dd` or `dd/mm/yyyy` (end of that day in Vietnam).
    pub fn date_time(&mut self, field: &str) -> Option<DateTime<Utc>> {
        let text = self.raw(field);
        if text.is_empty() {
            return None;
        }
        match parse_date_time(&text) {
            Some(moment) => Some(moment),
            None => {
                self.error(
                    field,
                    "expected a date: yyyy-mm-dd HH:MM:SS (Vietnam time), RFC 3339, yyyy-mm-dd or dd/mm/yyyy",
                );
                None
            }
        }
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

pub fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.with_timezone(&Utc));
    }
    let local = |naive: NaiveDateTime| {
        Ho_Chi_Minh
            .from_local_datetime(&naive)
            .single()
            .map(|moment| moment.with_timezone(&Utc))
    };
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return local(naive);
        }
    }
    for format in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return local(date.and_hms_opt(23, 59, 0)?);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(json: &str) -> BTreeMap<String, Value> {
        serde_json::from_str(json).expect("json")
    }

    #[test]
    fn numbers_come_as_strings_or_numbers() {
        let fields = reader(r#"{"a": "06", "b": 4, "c": "test feedback", "d": null}"#);
        let mut r = FieldReader::new(&fields, "");
        assert_eq!(r.int("a", |v| (1..=12).contains(&v), "1–12"), Some(6));
        assert_eq!(r.int("b", |v| v > 0, "> 0"), Some(4));
        assert_eq!(r.int("c", |v| (1..=4).contains(&v), "1–4"), None);
        assert_eq!(r.int("d", |_| true, "any"), None);
        assert!(r.errors["c"].contains("1–4"));
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn phones_lose_no_leading_zero() {
        let fields = reader(r#"{"p": 912323233, "q": "84903173347", "r": "12ab"}"#);
        let mut r = FieldReader::new(&fields, "");
        assert_eq!(
            r.phone("p").map(|p| p.as_str().to_owned()),
            Some("84912323233".into())
        );
        assert_eq!(
            r.phone("q").map(|p| p.as_str().to_owned()),
            Some("84903173347".into())
        );
        assert_eq!(r.phone("r"), None);
        assert!(r.errors.contains_key("r"));
    }

    #[test]
    fn dates_are_read_in_vietnam_time() {
        let due = parse_date_time("2024-02-15 12:05:01").expect("date");
        assert_eq!(due.to_rfc3339(), "2024-02-15T05:05:01+00:00");
        assert!(parse_date_time("15/02/2024").is_some());
        assert!(parse_date_time("2024-02-30").is_none());
        assert!(parse_date_time("soon").is_none());
    }
}
