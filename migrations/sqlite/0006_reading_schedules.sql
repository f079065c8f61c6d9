-- Meter-reading schedules (lịch ghi chỉ số): the days on which a branch accepts
-- the meter readings customers report from the app, each window belonging
-- to a billing period.

CREATE TABLE reading_windows (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_code  TEXT NOT NULL REFERENCES branches (code),
    -- The billing period (kỳ) the readings of this window are billed in.
    period_year  INTEGER NOT NULL CHECK (period_year BETWEEN 2000 AND 2100),
    period_month INTEGER NOT NULL CHECK (period_month BETWEEN 1 AND 12),
    -- Inclusive calendar days in Vietnam time, 'YYYY-MM-DD' (sqlx's NaiveDate text),
    -- so text comparison is date order.
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES staff_users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (start_date <= end_date)
);
CREATE INDEX reading_windows_branch_start ON reading_windows (branch_code, start_date);
