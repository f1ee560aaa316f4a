-- The verifiable vote log (docs/audit.md): one RFC 9162 Merkle tree per poll of its counted votes, appended by the
-- writers in the transaction that inserts the votes, so the log's state never differs from the votes it covers.

-- A poll's log head: its size, the roots of its perfect subtrees (the frontier: 32 bytes each, largest first) and
-- its root. The row lock is the poll's sequencer: writers that share a poll append one batch after the other.
-- sealed_at is set once, when the final result is signed: nothing is appended after it.
CREATE TABLE vote_log (
  poll_id    integer     PRIMARY KEY REFERENCES polls (id),
  size       bigint      NOT NULL DEFAULT 0 CHECK (size >= 0),
  frontier   bytea       NOT NULL DEFAULT '\x',
  root       bytea       NOT NULL DEFAULT '\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'::bytea,
  sealed_at  timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every poll gets its log when it is created (polls from before this migration have none: their votes predate it).
CREATE FUNCTION landslide_create_vote_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO vote_log (poll_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER polls_vote_log AFTER INSERT ON polls FOR EACH ROW EXECUTE FUNCTION landslide_create_vote_log();

-- The entries, 38 bytes each in log order, in chunks that never cross a 256-entry tile: a tile's entries are the
-- chunks whose first_leaf lies in it. One row per tile a batch touches, not one per vote.
CREATE TABLE log_entries (
  poll_id    integer NOT NULL,
  first_leaf bigint  NOT NULL,
  entries    bytea   NOT NULL,
  PRIMARY KEY (poll_id, first_leaf)
);
ALTER TABLE log_entries ALTER COLUMN entries SET STORAGE EXTERNAL; -- hashes do not compress: do not try

-- The hashes of the perfect subtrees of height 8, 16, 24, 32 and 40 that appends complete: what hash tiles above
-- level 0 hold (level 0, the leaf hashes, is computed from the entries).
CREATE TABLE log_nodes (
  poll_id integer  NOT NULL,
  height  smallint NOT NULL,
  idx     bigint   NOT NULL,
  hash    bytea    NOT NULL,
  PRIMARY KEY (poll_id, height, idx)
);

-- Where a vote is in the log: runs of consecutive offsets of one partition whose votes took consecutive leaves.
-- A vote's leaf is first_leaf + (kafka_offset - first_offset) in the run holding its offset.
CREATE TABLE log_runs (
  poll_id         integer NOT NULL,
  kafka_partition integer NOT NULL,
  first_offset    bigint  NOT NULL,
  count           integer NOT NULL CHECK (count > 0),
  first_leaf      bigint  NOT NULL,
  PRIMARY KEY (poll_id, kafka_partition, first_offset)
);

-- Signed checkpoints (C2SP tlog-checkpoint in a signed note), at least one a second while a poll's log grows.
CREATE TABLE log_checkpoints (
  poll_id   integer     NOT NULL,
  size      bigint      NOT NULL,
  root      bytea       NOT NULL,
  note      text        NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (poll_id, size)
);

-- The signed final result of a closed poll: a checkpoint of the whole log with the counts per option.
CREATE TABLE log_results (
  poll_id   integer     PRIMARY KEY REFERENCES polls (id),
  size      bigint      NOT NULL,
  root      bytea       NOT NULL,
  note      text        NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now()
);

-- Every admin action, append-only: who, what, when. Exported with a poll's audit bundle.
CREATE TABLE admin_actions (
  id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text        NOT NULL,
  action   text        NOT NULL,
  poll_id  integer,
  details  jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX admin_actions_poll ON admin_actions (poll_id, id);

-- Append-only means append-only: the log's history and the admin record refuse UPDATE and DELETE.
CREATE FUNCTION landslide_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER admin_actions_append_only BEFORE UPDATE OR DELETE ON admin_actions FOR EACH ROW EXECUTE FUNCTION landslide_append_only();
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries FOR EACH ROW EXECUTE FUNCTION landslide_append_only();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints FOR EACH ROW EXECUTE FUNCTION landslide_append_only();
CREATE TRIGGER log_results_append_only BEFORE UPDATE OR DELETE ON log_results FOR EACH ROW EXECUTE FUNCTION landslide_append_only();

-- A corrupt record is one per topic and position: a second votes topic (a test's, a recreated one) no longer hides
-- its corrupt records behind another topic's at the same offset.
ALTER TABLE vote_corrupt ADD COLUMN topic text NOT NULL DEFAULT '';
ALTER TABLE vote_corrupt DROP CONSTRAINT vote_corrupt_pkey, ADD PRIMARY KEY (topic, kafka_partition, kafka_offset);
