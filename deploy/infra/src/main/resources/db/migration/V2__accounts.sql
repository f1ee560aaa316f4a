-- Accounts. A user's id is their index: the bit position in every poll's voter bitmap, and the JWT's `sub`.
-- Ids are dense, assigned in order from 1 (the bitmap is sized by the highest id); CACHE 1 so no block of ids
-- is skipped when a connection ends. Emails are unique case-insensitively: email_key is the normalised form.
CREATE TABLE users (
  id            bigint      GENERATED ALWAYS AS IDENTITY (START WITH 1 MINVALUE 1 MAXVALUE 4294967295 CACHE 1) PRIMARY KEY,
  email         text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  email_key     text        NOT NULL UNIQUE,
  password_hash text        NOT NULL,
  roles         text[]      NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);
