-- When a closed poll's voter networks were dropped (the retention job, VOTING_ADDRESS_RETENTION_DAYS after its close):
-- the job does each poll once, and never scans a cleared partition again.
CREATE TABLE poll_retention (
  poll_id              integer     PRIMARY KEY REFERENCES polls (id),
  addresses_dropped_at timestamptz NOT NULL DEFAULT now()
);
