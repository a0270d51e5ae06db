-- Issue 20: the derivation no longer copies a dead letter's text into the search backlog when its
-- body is that text (valid UTF-8 up to 8 KB without control characters, checked by the drain):
-- it names the message instead, and the search indexer reads the body there.
ALTER TABLE "search_backlog" ADD COLUMN "message_id" BIGINT, ALTER COLUMN "search_text" DROP NOT NULL;
