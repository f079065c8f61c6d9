-- Staff sessions in a table of TCRM's own (replacing tower-sessions-sqlx-store's
-- `tower_sessions`): the signed-in account and its session epoch are columns, so
-- every page resolves its user with one statement (session joined to account)
-- instead of two, and the idle deadline is a plain number both backends compare.
-- Sessions of the old table are not carried over: staff sign in once more.
DROP TABLE IF EXISTS tower_sessions;

CREATE TABLE staff_sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    -- The session's key-value map as tower-sessions holds it, in JSON.
    data       TEXT NOT NULL,
    -- Seconds since 1970 (UTC) after which the session is dead.
    expires_at BIGINT NOT NULL,
    -- Set when the session holds a sign-in; the account's epoch at that time.
    user_id    BIGINT REFERENCES staff_users (id) ON DELETE CASCADE,
    epoch      BIGINT
);

CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
