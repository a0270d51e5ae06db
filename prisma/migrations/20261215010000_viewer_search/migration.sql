-- Viewers' full-text search matches only what viewers see (lib/mask/viewer-search.ts).
-- Searching the one document built from the whole text let a viewer confirm a guessed masked
-- value (an email address, a payment id): the record that held it came back. Now each document
-- has a second one, built from the text with MASK_FIELDS and email addresses masked, and viewers'
-- searches read only that one. "mask_key" names the masking it was built with: documents of
-- another key (MASK_FIELDS changed, or built before this migration, NULL) are skipped by viewers'
-- searches and rebuilt by the search indexer in the background.

ALTER TABLE "dead_letter_search" ADD COLUMN "viewer_document" TSVECTOR,
    ADD COLUMN "mask_key" TEXT;

CREATE INDEX "dead_letter_search_viewer_document_idx" ON "dead_letter_search" USING GIN ("viewer_document");
