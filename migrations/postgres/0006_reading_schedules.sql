-- Meter-reading schedules (lịch ghi chỉ số): the days on which a branch accepts
-- the meter readings customers report from the app, each window belonging
-- to a billing period.

CREATE TABLE reading_windows (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_code  TEXT NOT NULL REFERENCES branches (code),
    -- The billing period (kỳ) the readings of this window are billed in.
    period_year  BIGINT NOT NULL CHECK (period_year BETWEEN 2000 AND 2100),
    period_month BIGINT NOT NULL CHECK (period_month BETWEEN 1 AND 12),
    -- Inclusive calendar days in Vietnam time.
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES staff_users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CHECK (start_date <= end_date)
);
CREATE INDEX reading_windows_branch_start ON reading_windows (branch_code, start_date);
