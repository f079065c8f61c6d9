-- A ticket's references to the reference tables (its branch, request type,
-- status, priority, department, service category, component and reason, and
-- the API account that sent it) are checked once per statement, over all the
-- rows it wrote, instead of once per row.
--
-- A foreign key checks each new row with a query of its own that also locks
-- the row it refers to (FOR KEY SHARE). Every new ticket refers to the same
-- few rows — status 1, its priority, the calling account, one of 13 branches —
-- so two groups of creations in flight kept locking the same rows, each lock
-- a WAL record, each pair of them a multixact. Without those foreign keys the
-- partner API created 19 % more tickets per second (bench/api.sh).
--
-- The guarantees stay those of a foreign key, checked by triggers:
-- - after an INSERT or UPDATE on tickets (or an INSERT on ticket_events), one
--   query per reference over the statement's new rows; a missing row fails
--   the statement with SQLSTATE 23503 and the dropped constraint's name, as
--   the foreign key did;
-- - before a referenced row is deleted or its key changed: the tickets table
--   is locked against writes (SHARE) until the transaction ends, so no ticket
--   being written can refer to the row unseen, and the change is refused
--   while any ticket refers to it. The portal never deletes these rows.

ALTER TABLE tickets
    DROP CONSTRAINT tickets_branch_code_fkey,
    DROP CONSTRAINT tickets_id_type_fkey,
    DROP CONSTRAINT tickets_id_status_fkey,
    DROP CONSTRAINT tickets_id_priority_fkey,
    DROP CONSTRAINT tickets_id_process_unit_fkey,
    DROP CONSTRAINT tickets_id_service_category_fkey,
    DROP CONSTRAINT tickets_id_related_fkey,
    DROP CONSTRAINT tickets_id_service_reason_fkey,
    DROP CONSTRAINT tickets_api_account_id_fkey;
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_actor_api_account_id_fkey;

-- Fails with a foreign-key violation named `constraint_name` (the dropped
-- constraint's, so errors read as before).
CREATE FUNCTION reference_missing(table_name TEXT, constraint_name TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
        table_name, constraint_name
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name,
              TABLE = table_name;
END $$;

-- One static query per reference, not a loop over a list with EXECUTE: static
-- queries are planned once per connection, dynamic ones at every run — nine
-- plans per group of creations.
CREATE FUNCTION tickets_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.branch_code IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM branches r WHERE r.code = n.branch_code)) THEN
        PERFORM reference_missing('tickets', 'tickets_branch_code_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM request_types r WHERE r.id = n.id_type)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_type_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM ticket_statuses r WHERE r.id = n.id_status)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_status_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM priorities r WHERE r.id = n.id_priority)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_priority_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.id_process_unit IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM departments r WHERE r.id = n.id_process_unit)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_process_unit_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.id_service_category IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM service_categories r WHERE r.id = n.id_service_category)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_service_category_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.id_related IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM service_components r WHERE r.id = n.id_related)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_related_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.id_service_reason IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM service_reasons r WHERE r.id = n.id_service_reason)) THEN
        PERFORM reference_missing('tickets', 'tickets_id_service_reason_fkey');
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.api_account_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM api_accounts r WHERE r.id = n.api_account_id)) THEN
        PERFORM reference_missing('tickets', 'tickets_api_account_id_fkey');
    END IF;
    RETURN NULL;
END $$;

-- PostgreSQL allows transition tables on a trigger of one event only.
CREATE TRIGGER tickets_references_inserted AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_check_references();
CREATE TRIGGER tickets_references_updated AFTER UPDATE ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_check_references();

CREATE FUNCTION ticket_events_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.actor_api_account_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM api_accounts r WHERE r.id = n.actor_api_account_id)) THEN
        PERFORM reference_missing('ticket_events', 'ticket_events_actor_api_account_id_fkey');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_events_references_inserted AFTER INSERT ON ticket_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_check_references();

-- Before a referenced row is deleted or its key changed. Arguments: the key
-- column, the referring table and column, and the constraint's name.
CREATE FUNCTION reference_still_used() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    key_column TEXT := TG_ARGV[0];
    old_key TEXT := to_jsonb(OLD) ->> key_column;
    used BOOLEAN;
BEGIN
    IF TG_OP = 'UPDATE' AND old_key IS NOT DISTINCT FROM (to_jsonb(NEW) ->> key_column) THEN
        RETURN NEW;
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', TG_ARGV[1]);
    -- The key cast to the referring column's type, so that its index serves.
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = CAST($1 AS %s))',
            TG_ARGV[1], TG_ARGV[2],
            (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = TG_ARGV[1]::regclass AND a.attname = TG_ARGV[2]))
        INTO used USING old_key;
    IF used THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"',
            TG_TABLE_NAME, TG_ARGV[3], TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[3],
                  TABLE = TG_TABLE_NAME;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER branches_used_by_tickets BEFORE DELETE OR UPDATE OF code ON branches
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('code', 'tickets', 'branch_code', 'tickets_branch_code_fkey');
CREATE TRIGGER request_types_used_by_tickets BEFORE DELETE OR UPDATE OF id ON request_types
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_type', 'tickets_id_type_fkey');
CREATE TRIGGER ticket_statuses_used_by_tickets BEFORE DELETE OR UPDATE OF id ON ticket_statuses
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_status', 'tickets_id_status_fkey');
CREATE TRIGGER priorities_used_by_tickets BEFORE DELETE OR UPDATE OF id ON priorities
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_priority', 'tickets_id_priority_fkey');
CREATE TRIGGER departments_used_by_tickets BEFORE DELETE OR UPDATE OF id ON departments
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_process_unit', 'tickets_id_process_unit_fkey');
CREATE TRIGGER service_categories_used_by_tickets BEFORE DELETE OR UPDATE OF id ON service_categories
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_service_category', 'tickets_id_service_category_fkey');
CREATE TRIGGER service_components_used_by_tickets BEFORE DELETE OR UPDATE OF id ON service_components
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_related', 'tickets_id_related_fkey');
CREATE TRIGGER service_reasons_used_by_tickets BEFORE DELETE OR UPDATE OF id ON service_reasons
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'id_service_reason', 'tickets_id_service_reason_fkey');
CREATE TRIGGER api_accounts_used_by_tickets BEFORE DELETE OR UPDATE OF id ON api_accounts
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'tickets', 'api_account_id', 'tickets_api_account_id_fkey');
CREATE TRIGGER api_accounts_used_by_ticket_events BEFORE DELETE OR UPDATE OF id ON api_accounts
    FOR EACH ROW EXECUTE FUNCTION reference_still_used('id', 'ticket_events', 'actor_api_account_id', 'ticket_events_actor_api_account_id_fkey');
