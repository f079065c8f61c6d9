-- Tickets per branch and status, kept exact by triggers, so the list's status
-- tabs and the dashboard read a handful of rows instead of counting a million
-- tickets. '' stands for "no branch yet" (unrouted). SQLite has one writer at a
-- time, so the triggers update the counts in place.
CREATE TABLE ticket_status_counts (
    branch_code TEXT NOT NULL,
    id_status   INTEGER NOT NULL,
    tickets     INTEGER NOT NULL,
    PRIMARY KEY (branch_code, id_status)
) WITHOUT ROWID;

INSERT INTO ticket_status_counts (branch_code, id_status, tickets)
    SELECT coalesce(branch_code, ''), id_status, count(*) FROM tickets GROUP BY 1, 2;

CREATE TRIGGER tickets_counted_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_status_counts (branch_code, id_status, tickets)
        VALUES (coalesce(NEW.branch_code, ''), NEW.id_status, 1)
        ON CONFLICT (branch_code, id_status) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER tickets_counted_update AFTER UPDATE OF branch_code, id_status ON tickets
    WHEN OLD.branch_code IS NOT NEW.branch_code OR OLD.id_status <> NEW.id_status
BEGIN
    UPDATE ticket_status_counts SET tickets = tickets - 1
        WHERE branch_code = coalesce(OLD.branch_code, '') AND id_status = OLD.id_status;
    INSERT INTO ticket_status_counts (branch_code, id_status, tickets)
        VALUES (coalesce(NEW.branch_code, ''), NEW.id_status, 1)
        ON CONFLICT (branch_code, id_status) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER tickets_counted_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_status_counts SET tickets = tickets - 1
        WHERE branch_code = coalesce(OLD.branch_code, '') AND id_status = OLD.id_status;
END;
