-- A poll's proof-of-work difficulty (leading zero bits of SHA-256); null: the edges' default (VOTING_POW_DIFFICULTY).
ALTER TABLE polls ADD COLUMN pow_difficulty smallint CHECK (pow_difficulty BETWEEN 0 AND 32);
