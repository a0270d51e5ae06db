-- Several DLQs (issue 19): each record keeps the DLQ its latest death was drained from. The record
-- key stays (event_key, queue): the same event dying in one consumer queue is one record whichever
-- DLQ it reached; `dlq` follows its latest death. Existing rows were drained from the one DLQ
-- there was: the default DLQ_QUEUE (an install that had configured another name can correct them
-- with UPDATE dead_letters SET dlq = '<its DLQ>'). A constant default makes this metadata-only
-- (no table rewrite); the drain always writes the column itself.
ALTER TABLE "dead_letters" ADD COLUMN "dlq" TEXT NOT NULL DEFAULT 'edu.events.dlq';

-- The dlq= filter and the DLQ facet; small (one short text per record).
CREATE INDEX "dead_letters_dlq_last_failed_at_id_idx" ON "dead_letters"("dlq", "last_failed_at" DESC, "id" DESC);
