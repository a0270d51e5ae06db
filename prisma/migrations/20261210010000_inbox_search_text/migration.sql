-- Issue 20: the drain writes no search text for a body that is its own text (valid UTF-8 of at
-- most 8 KB without control characters): NULL means "the body, then the error message", read by
-- the derivation when it queues the record for the search indexer. Catalog-only change.
ALTER TABLE "dead_letter_inbox" ALTER COLUMN "search_text" DROP NOT NULL, ALTER COLUMN "search_text" DROP DEFAULT;
