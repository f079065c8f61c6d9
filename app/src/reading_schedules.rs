//! Meter-reading schedules (lịch ghi chỉ số): the rules for a branch's reading
//! windows, and the question the customer API asks before accepting a reading.
//!
//! Branch admins manage their own branch's schedule, HQ admins every branch's;
//! everyone reads the schedules within their branch scope.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

use crate::auth::{CurrentUser, Permission, authorize};
use crate::domain::{BillingPeriod, BranchCode, ReadingWindowId};
use crate::error::{AppError, FormErrors};
use crate::i18n::Key;
use crate::store::Db;
use crate::store::reading_schedules::{Overlap, ReadingDay, ReadingWindow, WindowSpec};

/// The longest a window may last, first and last day counted.
pub const MAX_WINDOW_DAYS: i64 = 31;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// A reading window as typed into the form, before parsing.
#[derive(Clone, Debug, Default)]
pub struct WindowInput {
    pub period_year: String,
    pub period_month: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
}

impl WindowInput {
    /// An empty error set that gives the form back what was typed.
    fn kept(&self) -> FormErrors {
        let mut errors = FormErrors::default();
        errors.keep("period_year", &self.period_year);
        errors.keep("period_month", &self.period_month);
        errors.keep("start_date", &self.start_date);
        errors.keep("end_date", &self.end_date);
        errors.keep("note", &self.note);
        errors
    }
}

/// Why a typed day was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayError {
    /// Not `dd/mm/yyyy` (or `yyyy-mm-dd`), or not a real day.
    Format,
    /// A real day outside the years 2000–2100.
    Range,
}

/// A calendar day typed as `dd/mm/yyyy` (`d/m/yyyy` too) or the browser's `yyyy-mm-dd`.
pub fn parse_day(value: &str) -> Result<NaiveDate, DayError> {
    let value = value.trim();
    let day = NaiveDate::parse_from_str(value, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .map_err(|_| DayError::Format)?;
    if BillingPeriod::YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(DayError::Range)
    }
}

fn parse_day_field(field: &str, value: &str, errors: &mut FormErrors) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, Key::FieldRequired);
        return None;
    }
    match parse_day(value) {
        Ok(day) => Some(day),
        Err(DayError::Format) => {
            errors.add(field, Key::DateInvalid);
            None
        }
        Err(DayError::Range) => {
            errors.add(field, Key::DateOutOfRange);
            None
        }
    }
}

fn parse_period(input: &WindowInput, errors: &mut FormErrors) -> Option<BillingPeriod> {
    let year = input
        .period_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|year| BillingPeriod::YEARS.contains(year));
    if year.is_none() {
        errors.add_with_detail("period_year", Key::NumberOutOfRange, "2000–2100");
    }
    let month = input
        .period_month
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|month| BillingPeriod::MONTHS.contains(month));
    if month.is_none() {
        errors.add_with_detail("period_month", Key::NumberOutOfRange, "1–12");
    }
    BillingPeriod::new(year?, month?).ok()
}

/// Checks every field of the form; the errors name their fields and keep what was typed.
pub fn parse_window(input: &WindowInput) -> Result<WindowSpec, FormErrors> {
    let mut errors = input.kept();
    let period = parse_period(input, &mut errors);
    let start = parse_day_field("start_date", &input.start_date, &mut errors);
    let end = parse_day_field("end_date", &input.end_date, &mut errors);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            errors.add("end_date", Key::WindowEndBeforeStart);
        } else if (end - start).num_days() + 1 > MAX_WINDOW_DAYS {
            errors.add("end_date", Key::WindowTooLong);
        }
    }
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        errors.add_with_detail("note", Key::FieldTooLong, format!("≤ {MAX_NOTE_CHARS}"));
    }
    match (period, start, end) {
        (Some(period), Some(start_date), Some(end_date)) if errors.is_empty() => Ok(WindowSpec {
            period,
            start_date,
            end_date,
            note: note.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// The calendar day it is in Vietnam at `now`.
pub fn vietnam_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Ho_Chi_Minh).date_naive()
}

fn overlap_error(input: &WindowInput, Overlap(existing): Overlap) -> AppError {
    let mut errors = input.kept();
    errors.add_with_detail(
        "start_date",
        Key::WindowOverlaps,
        format!(
            "{} – {} ({})",
            crate::format::date(existing.start_date),
            crate::format::date(existing.end_date),
            existing.period
        ),
    );
    AppError::Validation(errors)
}

fn audit_detail(id: ReadingWindowId, window: &WindowSpec) -> String {
    format!(
        "id={id} period={} days={}..={}",
        window.period, window.start_date, window.end_date
    )
}

/// The branch's windows ending on or after `from`, for someone who may read its data.
pub async fn list_windows(
    db: &Db,
    user: &CurrentUser,
    branch: &BranchCode,
    from: NaiveDate,
) -> Result<Vec<ReadingWindow>, AppError> {
    authorize(user, Permission::Read, Some(branch))?;
    Ok(db.reading_windows(branch, Some(from)).await?)
}

/// Loads a window the actor may change: outside their branch scope it does not exist.
pub async fn managed_window(
    db: &Db,
    actor: &CurrentUser,
    id: ReadingWindowId,
) -> Result<ReadingWindow, AppError> {
    let window = db.reading_window(id).await?;
    if authorize(actor, Permission::Read, Some(&window.branch_code)).is_err() {
        return Err(AppError::NotFound);
    }
    authorize(
        actor,
        Permission::ManageBranchSettings,
        Some(&window.branch_code),
    )?;
    Ok(window)
}

/// Adds a window to `branch`'s schedule.
pub async fn create_window(
    db: &Db,
    actor: &CurrentUser,
    branch: &BranchCode,
    input: &WindowInput,
) -> Result<ReadingWindowId, AppError> {
    authorize(actor, Permission::ManageBranchSettings, Some(branch))?;
    let window = parse_window(input).map_err(AppError::Validation)?;
    let id = match db
        .create_reading_window(branch, &window, Some(actor.id))
        .await?
    {
        Ok(id) => id,
        Err(overlap) => return Err(overlap_error(input, overlap)),
    };
    db.record_audit_event(
        Some(actor.id),
        "reading_window.create",
        branch.as_str(),
        &audit_detail(id, &window),
    )
    .await?;
    tracing::info!(%branch, window_id = %id, "reading window created");
    Ok(id)
}

/// Changes a window's period, days and note; answers the window's branch.
pub async fn update_window(
    db: &Db,
    actor: &CurrentUser,
    id: ReadingWindowId,
    input: &WindowInput,
) -> Result<BranchCode, AppError> {
    let existing = managed_window(db, actor, id).await?;
    let branch = existing.branch_code;
    let window = parse_window(input).map_err(AppError::Validation)?;
    if let Err(overlap) = db.update_reading_window(&branch, id, &window).await? {
        return Err(overlap_error(input, overlap));
    }
    db.record_audit_event(
        Some(actor.id),
        "reading_window.update",
        branch.as_str(),
        &audit_detail(id, &window),
    )
    .await?;
    Ok(branch)
}

/// Removes a window from its branch's schedule; answers the window's branch.
pub async fn delete_window(
    db: &Db,
    actor: &CurrentUser,
    id: ReadingWindowId,
) -> Result<BranchCode, AppError> {
    let existing = managed_window(db, actor, id).await?;
    let branch = existing.branch_code.clone();
    db.delete_reading_window(&branch, id).await?;
    let removed = WindowSpec {
        period: existing.period,
        start_date: existing.start_date,
        end_date: existing.end_date,
        note: existing.note,
    };
    db.record_audit_event(
        Some(actor.id),
        "reading_window.delete",
        branch.as_str(),
        &audit_detail(id, &removed),
    )
    .await?;
    Ok(branch)
}

/// May a customer of `branch` report a meter reading at `now` (judged on the Vietnam
/// calendar day)? `Err(next)` carries the first day of the next window, `None` when
/// nothing is scheduled.
///
/// The answer has no room for a store failure: one is logged and the reading let
/// through, so an unreadable schedule never turns away readings of an open window
/// (and a database that is really down fails the reading's own write anyway).
pub async fn check_reading_day(
    db: &Db,
    branch: &BranchCode,
    now: DateTime<Utc>,
) -> Result<(), Option<NaiveDate>> {
    match db.reading_day(branch, vietnam_day(now)).await {
        Ok(ReadingDay::Open) => Ok(()),
        Ok(ReadingDay::Closed { next }) => Err(next),
        Err(error) => {
            tracing::error!(?error, %branch, "reading schedule unreadable; accepting the reading");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid day")
    }

    fn input(start: &str, end: &str) -> WindowInput {
        WindowInput {
            period_year: "2026".into(),
            period_month: "3".into(),
            start_date: start.into(),
            end_date: end.into(),
            note: String::new(),
        }
    }

    fn fields(result: Result<WindowSpec, FormErrors>) -> Vec<(String, Key)> {
        result
            .expect_err("refused")
            .fields
            .into_iter()
            .map(|error| (error.field, error.message))
            .collect()
    }

    #[test]
    fn days_are_read_day_first_or_as_iso() {
        assert_eq!(parse_day("25/03/2026"), Ok(day(2026, 3, 25)));
        assert_eq!(parse_day(" 5/3/2026 "), Ok(day(2026, 3, 5)));
        assert_eq!(parse_day("2026-03-25"), Ok(day(2026, 3, 25)));
    }

    #[test]
    fn days_that_do_not_exist_or_are_written_otherwise_are_refused() {
        for typed in [
            "31/02/2026",
            "03/25/2026",
            "25-03-2026",
            "25/03",
            "",
            "hôm nay",
        ] {
            assert_eq!(parse_day(typed), Err(DayError::Format), "{typed:?}");
        }
        assert_eq!(parse_day("01/01/1999"), Err(DayError::Range));
        assert_eq!(parse_day("01/01/2101"), Err(DayError::Range));
    }

    #[test]
    fn a_valid_window_is_parsed_with_its_note_trimmed() {
        let mut typed = input("25/03/2026", "2026-04-02");
        typed.note = "  Đợt 1  ".into();
        let window = parse_window(&typed).expect("valid");
        assert_eq!(
            (window.start_date, window.end_date, window.note.as_str()),
            (day(2026, 3, 25), day(2026, 4, 2), "Đợt 1")
        );
        assert_eq!(window.period.to_string(), "03/2026");
    }

    #[test]
    fn each_error_names_its_field() {
        let mut typed = input("32/03/2026", "");
        typed.period_year = "1999".into();
        typed.period_month = "13".into();
        typed.note = "x".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            fields(parse_window(&typed)),
            vec![
                ("period_year".to_owned(), Key::NumberOutOfRange),
                ("period_month".to_owned(), Key::NumberOutOfRange),
                ("start_date".to_owned(), Key::DateInvalid),
                ("end_date".to_owned(), Key::FieldRequired),
                ("note".to_owned(), Key::FieldTooLong),
            ]
        );
    }

    #[test]
    fn refused_forms_keep_what_was_typed() {
        let errors = parse_window(&input("02/04/2026", "25/03/2026")).expect_err("refused");
        assert_eq!(errors.value("start_date"), Some("02/04/2026"));
        assert_eq!(errors.value("period_month"), Some("3"));
    }

    #[test]
    fn a_window_ends_on_or_after_its_start_and_lasts_at_most_31_days() {
        assert_eq!(
            fields(parse_window(&input("02/04/2026", "25/03/2026"))),
            vec![("end_date".to_owned(), Key::WindowEndBeforeStart)]
        );
        assert!(parse_window(&input("01/03/2026", "01/03/2026")).is_ok());
        assert!(parse_window(&input("01/03/2026", "31/03/2026")).is_ok());
        assert_eq!(
            fields(parse_window(&input("01/03/2026", "01/04/2026"))),
            vec![("end_date".to_owned(), Key::WindowTooLong)]
        );
    }

    #[test]
    fn the_reading_day_is_the_vietnam_calendar_day() {
        let half_past_midnight_in_vietnam = Utc
            .with_ymd_and_hms(2026, 3, 31, 17, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(vietnam_day(half_past_midnight_in_vietnam), day(2026, 4, 1));
        let a_minute_to_midnight_in_vietnam = Utc
            .with_ymd_and_hms(2026, 3, 31, 16, 59, 0)
            .single()
            .expect("valid");
        assert_eq!(
            vietnam_day(a_minute_to_midnight_in_vietnam),
            day(2026, 3, 31)
        );
    }
}
