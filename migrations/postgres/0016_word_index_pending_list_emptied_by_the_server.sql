-- The word index takes new entries through GIN's pending list again, and the
-- server empties the list every half second (gin_clean_pending_list, see
-- Db::merge_pending_word_entries). Inserted one by one (0013), each ticket's
-- ~45 entries cost a fifth of PostgreSQL's time under API load; merged in bulk
-- they cost far less: at 64 clients creating tickets through the API,
-- 4,100 creates/s against 3,700. 0013 turned the list off because a create that
-- found it full (gin_pending_list_limit, 4 MB) merged all of it while holding up
-- its statement; emptied every half second, it stays far below that limit, and
-- a search scans at most half a second's new tickets in it.
ALTER INDEX tickets_search_blocks SET (fastupdate = on);
