-- Reference data of the seed, staff accounts, sign-in throttling and the audit trail.

CREATE TABLE branches (
    code         TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    url_host     TEXT NOT NULL DEFAULT '',
    base_url     TEXT NOT NULL DEFAULT '',
    uat_base_url TEXT NOT NULL DEFAULT '',
    sort_order   INTEGER NOT NULL
);

CREATE TABLE request_types (
    id      INTEGER PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE departments (
    id      INTEGER PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE priorities (
    id      INTEGER PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE ticket_statuses (
    id      INTEGER PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE service_categories (
    id      INTEGER PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE service_components (
    id          INTEGER PRIMARY KEY NOT NULL,
    category_id INTEGER NOT NULL REFERENCES service_categories (id),
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL
);

CREATE TABLE service_reasons (
    id           INTEGER PRIMARY KEY NOT NULL,
    component_id INTEGER NOT NULL REFERENCES service_components (id),
    name_vi      TEXT NOT NULL,
    name_en      TEXT NOT NULL
);

CREATE TABLE staff_users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'hq_staff', 'branch_staff', 'campaign_manager', 'branch_admin', 'executive')),
    branch_code          TEXT REFERENCES branches (code),
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    language             TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch        INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    last_sign_in_at      TEXT
);
CREATE INDEX staff_users_branch ON staff_users (branch_code);

-- Failed sign-ins per account ("user:NAME") and per address ("ip:ADDR").
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        INTEGER NOT NULL,
    locked_until    TEXT,
    last_failure_at TEXT NOT NULL
);

CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_user_id INTEGER REFERENCES staff_users (id),
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (created_at);
