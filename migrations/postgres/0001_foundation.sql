-- Reference data of the seed, staff accounts, sign-in throttling and the audit trail.

CREATE TABLE branches (
    code         TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    url_host     TEXT NOT NULL DEFAULT '',
    base_url     TEXT NOT NULL DEFAULT '',
    uat_base_url TEXT NOT NULL DEFAULT '',
    sort_order   BIGINT NOT NULL
);

CREATE TABLE request_types (
    id      BIGINT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE departments (
    id      BIGINT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE priorities (
    id      BIGINT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE ticket_statuses (
    id      BIGINT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE service_categories (
    id      BIGINT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE service_components (
    id          BIGINT PRIMARY KEY NOT NULL,
    category_id BIGINT NOT NULL REFERENCES service_categories (id),
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL
);

CREATE TABLE service_reasons (
    id           BIGINT PRIMARY KEY NOT NULL,
    component_id BIGINT NOT NULL REFERENCES service_components (id),
    name_vi      TEXT NOT NULL,
    name_en      TEXT NOT NULL
);

CREATE TABLE staff_users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'hq_staff', 'branch_staff', 'campaign_manager', 'branch_admin', 'executive')),
    branch_code          TEXT REFERENCES branches (code),
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    language             TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch        BIGINT NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    last_sign_in_at      TIMESTAMPTZ
);
CREATE INDEX staff_users_branch ON staff_users (branch_code);

-- Failed sign-ins per account ("user:NAME") and per address ("ip:ADDR").
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        BIGINT NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_failure_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_user_id BIGINT REFERENCES staff_users (id),
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (created_at);
