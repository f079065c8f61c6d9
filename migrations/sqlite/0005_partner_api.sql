-- The partner REST API: API accounts (not staff), their tokens (hashes only),
-- the idempotency key of tickets created through the API, the API account as an
-- author on the timeline, and the app inbox of notifications.

CREATE TABLE api_accounts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    username         TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('app', 'branch', 'hq')),
    branch_code      TEXT REFERENCES branches (code),
    email            TEXT NOT NULL DEFAULT '',
    password_hash    TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    last_used_at     TEXT,
    CHECK ((kind = 'branch') = (branch_code IS NOT NULL))
);

-- Opaque bearer tokens, kept as SHA-256 of the token only.
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES api_accounts (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL
);
CREATE INDEX api_tokens_account ON api_tokens (account_id, created_at);

-- A ticket sent by an API client under its own id_feedback: the same id from the
-- same account is the same ticket; request_digest tells a replay from a clash.
ALTER TABLE tickets ADD COLUMN api_account_id INTEGER REFERENCES api_accounts (id);
ALTER TABLE tickets ADD COLUMN external_id TEXT;
ALTER TABLE tickets ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';
-- The client's own customer id (`id_customer` in the seed's payloads), kept as sent.
ALTER TABLE tickets ADD COLUMN external_customer_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX tickets_external ON tickets (api_account_id, external_id);

ALTER TABLE ticket_events ADD COLUMN actor_api_account_id INTEGER REFERENCES api_accounts (id);
ALTER TABLE ticket_attachments ADD COLUMN uploaded_by_api_account_id INTEGER REFERENCES api_accounts (id);
-- What the file is for: '' (the ticket) or 'members.N' (a quota member's id card).
ALTER TABLE ticket_attachments ADD COLUMN purpose TEXT NOT NULL DEFAULT '';

-- The customer app's inbox, per phone (stored as 84…).
CREATE TABLE app_notifications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    phone             TEXT NOT NULL,
    title             TEXT NOT NULL,
    content           TEXT NOT NULL DEFAULT '',
    id_module         INTEGER,
    option_module     TEXT NOT NULL,
    branch_code       TEXT REFERENCES branches (code),
    sender_api_account_id INTEGER REFERENCES api_accounts (id),
    sender_user_id    INTEGER REFERENCES staff_users (id),
    created_at        TEXT NOT NULL,
    read_at           TEXT
);
CREATE INDEX app_notifications_phone ON app_notifications (phone, id DESC);
CREATE INDEX app_notifications_unread ON app_notifications (phone) WHERE read_at IS NULL;
