-- Issue 20: the drain's reading of a message is parsed once, by the derivation (json_to_record):
-- as json the drain's COPY had PostgreSQL validate it first, parsing every message twice.
-- Written by EventDesk's own JSON.stringify, never by anyone else.
ALTER TABLE "dead_letter_inbox" ALTER COLUMN "prepared" TYPE TEXT;
