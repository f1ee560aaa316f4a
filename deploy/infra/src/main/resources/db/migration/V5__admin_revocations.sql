-- Revoked admin tokens: every token of the user issued before revoked_before is refused by every edge (they reload
-- this table every couple of seconds). One row per user, moved forward by each revocation.
CREATE TABLE admin_revocations (
  user_id        bigint      PRIMARY KEY,
  revoked_before timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
