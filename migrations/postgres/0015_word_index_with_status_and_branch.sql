-- The block-qualified word index (0014) also holds each ticket's status and
-- branch, qualified by the same block ('b30x3': status 3, 'b30ygd': branch GD).
-- A word search narrowed to one status (a tab) or one branch (every branch
-- user's search) used to fetch each block's matches of the words from the
-- table and drop those of another status or branch; where few of them remain,
-- every block was asked and thousands of rows fetched (~40 ms of database time
-- for "nguyen van hung" in one status). Now the index intersects them too.
--
-- The plain search_vector goes: the newest tickets, tested one by one, are
-- tested against search_blocks with their own block's question (store::tickets,
-- postgres_word_matches), and each ticket created no longer stores and indexes
-- its words twice.
ALTER TABLE tickets DROP COLUMN search_blocks, DROP COLUMN search_vector;
ALTER TABLE tickets ADD COLUMN search_blocks tsvector GENERATED ALWAYS AS (
    to_tsvector('simple',
        regexp_replace(search_text, '([[:alnum:]]+)', 'b' || (id >> 15)::text || 'z\1', 'g')
        || ' b' || (id >> 15)::text || 'x' || id_status::text
        || COALESCE(' b' || (id >> 15)::text || 'y' || lower(branch_code), ''))
) STORED;
CREATE INDEX tickets_search_blocks ON tickets USING GIN (search_blocks) WITH (fastupdate = off);
