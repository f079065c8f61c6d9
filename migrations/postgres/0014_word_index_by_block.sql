-- The word index, with each ticket's words qualified by its id's block of 32,768
-- tickets ('b30znguyen': "nguyen" in a ticket numbered 983,040 to 1,015,807).
-- GIN yields matches in no order: a search's newest 50 used to cost every match
-- of its words, or a walk over the newest tickets testing each one. Asked block
-- by block, newest first, the index intersects only one block's posting lists
-- at a time, and the walk stops once a page is full (store::tickets,
-- postgres_word_matches). The plain search_vector stays, unindexed, for testing
-- the newest tickets one by one.
ALTER TABLE tickets ADD COLUMN search_blocks tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(search_text, '([[:alnum:]]+)', 'b' || (id >> 15)::text || 'z\1', 'g'))
) STORED;
CREATE INDEX tickets_search_blocks ON tickets USING GIN (search_blocks) WITH (fastupdate = off);
DROP INDEX tickets_search;
