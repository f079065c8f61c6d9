/// A billing period (kỳ hóa đơn): one month of a year between 2000 and 2100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::FromRow)]
pub struct BillingPeriod {
    #[sqlx(rename = "period_year", try_from = "i64")]
    year: i32,
    #[sqlx(rename = "period_month", try_from = "i64")]
    month: u32,
}

/// Which half of a billing period is out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BillingPeriodError {
    #[error("the year of a billing period is 2000–2100")]
    Year,
    #[error("the month of a billing period is 1–12")]
    Month,
}

impl BillingPeriod {
    pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
    pub const MONTHS: std::ops::RangeInclusive<u32> = 1..=12;

    pub fn new(year: i32, month: u32) -> Result<BillingPeriod, BillingPeriodError> {
        if !Self::YEARS.contains(&year) {
            return Err(BillingPeriodError::Year);
        }
        if !Self::MONTHS.contains(&month) {
            return Err(BillingPeriodError::Month);
        }
        Ok(BillingPeriod { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }
}

/// Shown as `mm/yyyy`, the way bills print the period.
impl std::fmt::Display for BillingPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}/{}", self.month, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_months_and_years_in_range() {
        let period = BillingPeriod::new(2026, 3).expect("valid");
        assert_eq!((period.year(), period.month()), (2026, 3));
        assert_eq!(period.to_string(), "03/2026");
        assert!(BillingPeriod::new(2000, 1).is_ok());
        assert!(BillingPeriod::new(2100, 12).is_ok());
    }

    #[test]
    fn refuses_each_half_out_of_range() {
        assert_eq!(BillingPeriod::new(1999, 5), Err(BillingPeriodError::Year));
        assert_eq!(BillingPeriod::new(2101, 5), Err(BillingPeriodError::Year));
        assert_eq!(BillingPeriod::new(2026, 0), Err(BillingPeriodError::Month));
        assert_eq!(BillingPeriod::new(2026, 13), Err(BillingPeriodError::Month));
    }
}
