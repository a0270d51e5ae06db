-- Full-text search leaves "dead_letters" (issues 2, 4, 5).
-- A GIN index over ~1 KB of text per row was ~60% of PostgreSQL's cost of writing a dead letter,
-- and because every status change (republish, discard) is a non-HOT update, each one re-ran
-- to_tsvector and re-inserted ~100 GIN entries too. Now:
--   * the drain writes the row's searchable text into "search_backlog" (a plain append, one
--     btree) in the same transaction as the dead letter, so nothing can be stored unindexed;
--   * a background indexer (lib/bus/search-indexer.ts) turns backlog rows into tsvectors in
--     "dead_letter_search" and deletes them; in a burst, search lags the drain by seconds;
--   * status updates of "dead_letters" no longer touch any text index.
-- The stored tsvector keeps word positions, so a quoted phrase is checked on the document itself
-- (no to_tsvector per candidate row, no ILIKE over the wide table).

CREATE TABLE "search_backlog" (
    "id" BIGSERIAL NOT NULL,
    "dead_letter_id" UUID NOT NULL,
    -- body as text (bounded) and error message, as lib/bus/prepare-dead-letter.ts builds it
    "search_text" TEXT NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "search_backlog_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "dead_letter_search" (
    "dead_letter_id" UUID NOT NULL,
    "document" TSVECTOR NOT NULL,
    -- the backlog row this document was built from: a slower indexer holding an older backlog
    -- row must not overwrite a newer document (two indexers take disjoint chunks concurrently)
    "backlog_id" BIGINT NOT NULL,
    "indexed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "dead_letter_search_pkey" PRIMARY KEY ("dead_letter_id"),
    CONSTRAINT "dead_letter_search_dead_letter_id_fkey" FOREIGN KEY ("dead_letter_id") REFERENCES "dead_letters"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "dead_letter_search_document_idx" ON "dead_letter_search" USING GIN ("document");

-- Existing rows are indexed by the indexer after the upgrade (their search lags until then).
INSERT INTO "search_backlog" ("dead_letter_id", "search_text")
SELECT "id", "search_text" FROM "dead_letters" WHERE "search_text" <> '' ORDER BY "last_failed_at";

DROP INDEX "dead_letters_search_text_fts_idx";
ALTER TABLE "dead_letters" DROP COLUMN "search_text";
