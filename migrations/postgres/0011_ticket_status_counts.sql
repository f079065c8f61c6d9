-- Tickets per branch and status, kept exact by triggers, so the list's status
-- tabs and the dashboard read a handful of rows instead of counting a million
-- tickets. '' stands for "no branch yet" (unrouted).
--
-- Concurrent transactions must not queue on one counter row (every ticket
-- created at a branch would wait for the previous one's commit, and two bulk
-- changes could deadlock), so the triggers only append +1/-1 rows to
-- ticket_status_count_changes; a reader adds them to ticket_status_counts, and
-- the server folds them in every few seconds (delete and add in one
-- transaction, so every snapshot sees each change exactly once).
CREATE TABLE ticket_status_counts (
    branch_code TEXT NOT NULL,
    id_status   BIGINT NOT NULL,
    tickets     BIGINT NOT NULL,
    PRIMARY KEY (branch_code, id_status)
);

CREATE TABLE ticket_status_count_changes (
    branch_code TEXT NOT NULL,
    id_status   BIGINT NOT NULL,
    change      BIGINT NOT NULL
);

-- No ticket may be written between the count and the triggers.
LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO ticket_status_counts (branch_code, id_status, tickets)
    SELECT coalesce(branch_code, ''), id_status, count(*) FROM tickets GROUP BY 1, 2;

CREATE FUNCTION tickets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO ticket_status_count_changes (branch_code, id_status, change)
            VALUES (coalesce(OLD.branch_code, ''), OLD.id_status, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO ticket_status_count_changes (branch_code, id_status, change)
            VALUES (coalesce(NEW.branch_code, ''), NEW.id_status, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tickets_counted_insert_delete AFTER INSERT OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_counted();

CREATE TRIGGER tickets_counted_update AFTER UPDATE OF branch_code, id_status ON tickets
    FOR EACH ROW
    WHEN (OLD.branch_code IS DISTINCT FROM NEW.branch_code OR OLD.id_status <> NEW.id_status)
    EXECUTE FUNCTION tickets_counted();
