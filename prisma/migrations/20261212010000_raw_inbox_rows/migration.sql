-- The drain reads nothing of a message but its fingerprint (issue 20: store first, derive after).
-- A raw row's "prepared" holds only the delivery's own fields ({"raw":true,"redelivered":...,
-- "routingKey":...}, lib/bus/inbox-row.ts), its "failed_at" and "search_text" are NULL: the
-- derivation reads the message from the row's bytes, properties and headers (lib/bus/read-inbox.ts)
-- and derives from that reading. Rows written with their reading done keep all three.
ALTER TABLE "dead_letter_inbox" ALTER COLUMN "failed_at" DROP NOT NULL;
