-- The log's entries are no longer stored twice (docs/audit.md, "Storage"): an entry is the poll, the option and the
-- receipt's commitment, all three already in the vote's row. What the log adds is the order: per chunk of leaves
-- (never crossing a 256-entry tile, as log_entries' chunks), the user ids of the votes that took them, 4 bytes each,
-- big-endian (user ids are 1 to 2^32 - 1). About 4 bytes a vote instead of 38: what the writers' appends cost
-- PostgreSQL is mostly bytes. The order is private, like the votes: it links a leaf to a user; only the entries
-- derived from it are public.
CREATE TABLE log_order (
  poll_id    integer NOT NULL,
  first_leaf bigint  NOT NULL,
  users      bytea   NOT NULL CHECK (length(users) > 0 AND length(users) % 4 = 0),
  PRIMARY KEY (poll_id, first_leaf)
);
CREATE TRIGGER log_order_append_only BEFORE UPDATE OR DELETE ON log_order FOR EACH ROW EXECUTE FUNCTION landslide_append_only();

-- A poll's entries whose chunks start in [lo, hi), one row per chunk in leaf order, each entry in VoteEntry's layout:
-- 0x01, the poll id (uint32), the option id (uint8), SHA-256("landslide/receipt/v1" 0x00 poll id receipt). Chunks
-- written before this migration are read as stored; later ones are derived from the votes. A vote missing from the
-- votes table shortens its chunk, so a reader sees a gap and the log's root no longer matches: never a silent change.
CREATE FUNCTION landslide_log_entries(p integer, lo bigint, hi bigint) RETURNS TABLE (first_leaf bigint, entries bytea)
LANGUAGE sql STABLE AS $$
  SELECT e.first_leaf, e.entries FROM log_entries e WHERE e.poll_id = p AND e.first_leaf >= lo AND e.first_leaf < hi
  UNION ALL
  SELECT o.first_leaf,
         string_agg(decode('01', 'hex') || int4send(p) || substring(int2send(v.option_id) FROM 2 FOR 1)
                    || sha256(convert_to('landslide/receipt/v1', 'UTF8') || decode('00', 'hex') || int4send(p) || uuid_send(v.receipt)),
                    ''::bytea ORDER BY u.i)
  FROM log_order o
  CROSS JOIN LATERAL generate_series(0, length(o.users) / 4 - 1) AS u(i)
  -- One primary-key lookup a leaf (LIMIT keeps it a lookup: never a scan of the poll's votes for a tile).
  CROSS JOIN LATERAL (
    SELECT v.option_id, v.receipt FROM votes v
    WHERE v.poll_id = p
      AND v.user_id = (get_byte(o.users, 4 * u.i)::bigint << 24) | (get_byte(o.users, 4 * u.i + 1) << 16)
                    | (get_byte(o.users, 4 * u.i + 2) << 8) | get_byte(o.users, 4 * u.i + 3)
    LIMIT 1) v
  WHERE o.poll_id = p AND o.first_leaf >= lo AND o.first_leaf < hi
  GROUP BY o.first_leaf
  ORDER BY 1
$$;
