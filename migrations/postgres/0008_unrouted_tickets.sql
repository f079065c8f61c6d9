-- A ticket created at HQ with neither a branch_code nor a known contract code has
-- no branch yet: it waits in HQ's "unrouted" queue until staff route it by hand.
ALTER TABLE tickets ALTER COLUMN branch_code DROP NOT NULL;
CREATE INDEX tickets_unrouted ON tickets (id DESC) WHERE branch_code IS NULL;
