-- A ticket created at HQ with neither a branch_code nor a known contract code has
-- no branch yet: it waits in HQ's "unrouted" queue until staff route it by hand.
--
-- SQLite cannot drop the NOT NULL of tickets.branch_code in place, and the table
-- rebuild its documentation prescribes needs foreign keys off, which only works
-- outside a transaction (sqlx runs every SQLite migration inside one). That
-- rebuild is done in code right after the migrations (store::sqlite_rebuild);
-- it keeps this index.
CREATE INDEX tickets_unrouted ON tickets (id DESC) WHERE branch_code IS NULL;
