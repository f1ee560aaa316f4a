-- Issue 11: accounts of the broadcaster's identity provider, e-mail verification, eligibility per poll.
--
-- A provider's subject is a users row like a built-in account (the same dense id sequence: an id is a bit in every
-- poll's voter bitmap), created on first sight, with (issuer, subject) instead of e-mail and password.
ALTER TABLE users
  ALTER COLUMN email DROP NOT NULL,
  ALTER COLUMN email_key DROP NOT NULL,
  ALTER COLUMN password_hash DROP NOT NULL,
  ADD COLUMN issuer text,
  ADD COLUMN subject text,
  ADD COLUMN email_verified_at timestamptz,
  ADD CONSTRAINT users_one_identity CHECK (
    (issuer IS NULL AND subject IS NULL AND email IS NOT NULL AND email_key IS NOT NULL AND password_hash IS NOT NULL)
    OR (issuer IS NOT NULL AND subject IS NOT NULL AND email IS NULL AND email_key IS NULL AND password_hash IS NULL
        AND char_length(issuer) BETWEEN 1 AND 255 AND char_length(subject) BETWEEN 1 AND 255));
CREATE UNIQUE INDEX users_issuer_subject ON users (issuer, subject) WHERE issuer IS NOT NULL;

-- A built-in account's pending e-mail verification: only a hash of the link's secret is kept, for a day.
CREATE TABLE email_verifications (
  token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);

-- Who may vote: a verified account (the provider's email_verified, or a built-in account's verified e-mail), and an
-- account created before the poll opened (no account made for the show).
ALTER TABLE polls
  ADD COLUMN require_verified boolean NOT NULL DEFAULT false,
  ADD COLUMN require_account_before_open boolean NOT NULL DEFAULT false;
