-- Customers, their contract codes, tickets with the seed's fields, the timeline,
-- attachments, quota household members and the SLA table.

CREATE TABLE customers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone       TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    citizen_id  TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX customers_phone ON customers (phone);

CREATE TABLE contracts (
    code               TEXT PRIMARY KEY NOT NULL,
    branch_code        TEXT NOT NULL REFERENCES branches (code),
    customer_id        BIGINT REFERENCES customers (id),
    address            TEXT NOT NULL DEFAULT '',
    ward_code          TEXT NOT NULL DEFAULT '',
    district_code      TEXT NOT NULL DEFAULT '',
    province_code      TEXT NOT NULL DEFAULT '79',
    -- Which administrative coding the ward/district codes come from: the 2025
    -- reform reused ward numbers for other areas.
    address_scheme     TEXT NOT NULL DEFAULT '2025' CHECK (address_scheme IN ('2025', 'pre2025')),
    customer_type      BIGINT NOT NULL DEFAULT 1 CHECK (customer_type IN (1, 2)),
    use_purpose        TEXT NOT NULL DEFAULT '',
    registered_persons BIGINT NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX contracts_customer ON contracts (customer_id);

CREATE TABLE tickets (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feedback_code        TEXT UNIQUE,
    branch_code          TEXT NOT NULL REFERENCES branches (code),
    id_type              BIGINT NOT NULL REFERENCES request_types (id),
    id_status            BIGINT NOT NULL REFERENCES ticket_statuses (id),
    id_priority          BIGINT NOT NULL REFERENCES priorities (id),
    id_process_unit      BIGINT REFERENCES departments (id),
    assignee_user_id     BIGINT REFERENCES staff_users (id),
    source               TEXT NOT NULL CHECK (source IN ('app', 'api', 'staff')),
    id_customer          BIGINT REFERENCES customers (id),
    contact_code         TEXT,
    customer_name        TEXT NOT NULL DEFAULT '',
    customer_phone       TEXT,
    email                TEXT NOT NULL DEFAULT '',
    identify_number      TEXT,
    customer_address     TEXT NOT NULL DEFAULT '',
    ward_code            TEXT NOT NULL DEFAULT '',
    district_code        TEXT NOT NULL DEFAULT '',
    province_code        TEXT NOT NULL DEFAULT '',
    latitude             TEXT NOT NULL DEFAULT '',
    longitude            TEXT NOT NULL DEFAULT '',
    content              TEXT NOT NULL DEFAULT '',
    solution             TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '',
    id_service_category  BIGINT REFERENCES service_categories (id),
    id_related           BIGINT REFERENCES service_components (id),
    id_service_reason    BIGINT REFERENCES service_reasons (id),
    reading_number       BIGINT,
    reading_month        BIGINT,
    reading_year         BIGINT,
    accuracy             TEXT NOT NULL DEFAULT '',
    reporter_name        TEXT NOT NULL DEFAULT '',
    incident_type        TEXT NOT NULL DEFAULT '',
    id_phenomena         BIGINT,
    customer_type        BIGINT,
    tax_code             TEXT NOT NULL DEFAULT '',
    legal_representative TEXT NOT NULL DEFAULT '',
    contact_person_name  TEXT NOT NULL DEFAULT '',
    contact_person_phone TEXT NOT NULL DEFAULT '',
    contact_person_email TEXT NOT NULL DEFAULT '',
    contact_address      TEXT NOT NULL DEFAULT '',
    date_due             TIMESTAMPTZ,
    created_by_user_id   BIGINT REFERENCES staff_users (id),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    -- Folded (lower-case, no accents) words of code, contract, phone, name, address, content.
    search_text          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tickets_branch_status ON tickets (branch_code, id_status, id DESC);
CREATE INDEX tickets_status ON tickets (id_status, id DESC);
CREATE INDEX tickets_contact_code ON tickets (contact_code);
CREATE INDEX tickets_phone ON tickets (customer_phone);
CREATE INDEX tickets_assignee ON tickets (assignee_user_id, id_status);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_due ON tickets (date_due);

-- Word search over search_text.
CREATE INDEX tickets_search ON tickets USING GIN (to_tsvector('simple', search_text));

CREATE TABLE ticket_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     BIGINT NOT NULL REFERENCES tickets (id),
    kind          TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES staff_users (id),
    actor_label   TEXT NOT NULL DEFAULT '',
    from_value    TEXT NOT NULL DEFAULT '',
    to_value      TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    internal      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_attachments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     BIGINT NOT NULL REFERENCES tickets (id),
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   BIGINT REFERENCES staff_users (id),
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);

CREATE TABLE ticket_members (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    citizen_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    address_type BIGINT NOT NULL CHECK (address_type IN (1, 2))
);
CREATE INDEX ticket_members_ticket ON ticket_members (ticket_id);
CREATE INDEX ticket_members_citizen ON ticket_members (citizen_id);

-- Hours allowed per request type and priority; a ticket's due date when none is given.
CREATE TABLE sla_rules (
    id_type     BIGINT NOT NULL REFERENCES request_types (id),
    id_priority BIGINT NOT NULL REFERENCES priorities (id),
    hours       BIGINT NOT NULL CHECK (hours > 0),
    PRIMARY KEY (id_type, id_priority)
);
INSERT INTO sla_rules (id_type, id_priority, hours)
SELECT t.id, p.id,
       CASE p.id WHEN 4 THEN 4 WHEN 3 THEN 24 WHEN 2 THEN 72 ELSE 168 END
       * CASE WHEN t.id = 2 THEN 1 ELSE 2 END
FROM request_types t CROSS JOIN priorities p;
