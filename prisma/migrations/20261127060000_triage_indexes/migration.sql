-- Triage (issue 4): indexes for the dead-letter list at a million rows.
-- Every list query orders newest first on ("last_failed_at", "id") and pages by keyset, so each
-- filter gets a composite index led by its column: the first page of any filter value (even a
-- rare or absent one) is one short index range scan, never a scan of the whole table.
CREATE INDEX "dead_letters_event_type_last_failed_at_id_idx" ON "dead_letters"("event_type", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_queue_last_failed_at_id_idx" ON "dead_letters"("queue", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_reason_last_failed_at_id_idx" ON "dead_letters"("reason", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_status_last_failed_at_id_idx" ON "dead_letters"("status", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_validation_status_last_failed_at_id_idx" ON "dead_letters"("validation_status", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_group_id_last_failed_at_id_idx" ON "dead_letters"("group_id", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letters_correlation_id_last_failed_at_id_idx" ON "dead_letters"("correlation_id", "last_failed_at" DESC, "id" DESC) WHERE "correlation_id" IS NOT NULL;

-- Full-text search over body text and error message. A tsvector GIN index (the 'simple'
-- configuration: lower-cased words, no stemming, so ids, emails and codes match as written) is
-- a fraction of the size and write cost of a pg_trgm index over the same ~1 KB text, which
-- matters because the drain writes every row. Queries must use this exact expression.
CREATE INDEX "dead_letters_search_text_fts_idx" ON "dead_letters" USING GIN (to_tsvector('simple'::regconfig, "search_text"));

