-- Issue 12: a poll may hide its results until an admin reveals them (the embargo). While hidden, the public results,
-- frames and the poll's audit log say so and show no count; revealed_at is the moment it ended (never undone).
ALTER TABLE polls
  ADD COLUMN hide_results boolean NOT NULL DEFAULT false,
  ADD COLUMN revealed_at timestamptz;
