-- HQ ↔ branch federation: where a branch's own TCRM is and which API account HQ
-- uses there (its password encrypted with the instance's secret key), the outbox
-- of messages to peers, and the receipts that make updates idempotent.

ALTER TABLE branches ADD COLUMN remote_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE branches ADD COLUMN remote_environment TEXT NOT NULL DEFAULT 'production'
    CHECK (remote_environment IN ('production', 'uat'));
ALTER TABLE branches ADD COLUMN remote_username TEXT NOT NULL DEFAULT '';
-- ChaCha20-Poly1305 sealed, base64; never shown again once saved.
ALTER TABLE branches ADD COLUMN remote_password_sealed TEXT NOT NULL DEFAULT '';

-- One message to one peer about one ticket, written in the transaction of the
-- change it reports; delivered in order per (ticket, peer) by the outbox worker.
CREATE TABLE outbox_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- A branch code (HQ → branch) or 'HQ' (branch → HQ).
    peer            TEXT NOT NULL,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    kind            TEXT NOT NULL CHECK (kind IN ('create', 'update')),
    -- The fields the message carries (JSON object); empty for a create, which sends the ticket.
    payload         TEXT NOT NULL DEFAULT '{}',
    -- Attachments the message carries (JSON array of ticket_attachments ids).
    attachment_ids  TEXT NOT NULL DEFAULT '[]',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- A worker's lease on the message; an expired lease makes it claimable again.
    claimed_until   TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    peer_status     INTEGER,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX outbox_due ON outbox_messages (state, next_attempt_at);
CREATE INDEX outbox_ticket ON outbox_messages (ticket_id, peer, id);

-- Updates received with an Idempotency-Key, so a redelivery is applied once.
CREATE TABLE api_receipts (
    api_account_id  INTEGER NOT NULL REFERENCES api_accounts (id),
    idempotency_key TEXT NOT NULL,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (api_account_id, idempotency_key)
);
