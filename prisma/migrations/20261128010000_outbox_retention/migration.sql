-- The republish outbox and bulk jobs age out with RETENTION_DAYS (lib/bus/retention.ts), and
-- two indexes of "republish_intents" that no query needs go (issue 5: bulk republish throughput).

-- Every lookup of intents by dead letter asks for the unfinished one, which the partial unique
-- index "republish_intents_one_pending_key" answers; recovery lists the unfinished intents
-- (a handful, normally none) from that same index and sorts them. Each intent is written twice
-- (claimed, settled), and each write put an entry into these: three index entries a message.
DROP INDEX "republish_intents_dead_letter_id_idx";
DROP INDEX "republish_intents_pending_created_at_idx";

-- Retention finds old intents by creation time (settled_at >= created_at): a BRIN index is a
-- few pages for millions of rows, costs next to nothing per insert, and created_at never changes.
CREATE INDEX "republish_intents_created_at_brin" ON "republish_intents" USING BRIN ("created_at");

-- What retention removed, still counted: the Prometheus counters derived from tables it purges
-- (eventdesk_republished_total, eventdesk_republish_failures_total,
-- eventdesk_bulk_job_items_total, and event_processing_errors_total from failure_groups) must
-- never go down. Added to in the purge's own statement.
CREATE TABLE "purged_counts" (
    -- 'republish' (a: target kind, b: intent state) | 'bulk-items' (a: action, b: outcome)
    -- | 'processing-errors' (a: event type, b: queue)
    "source" TEXT NOT NULL,
    "a" TEXT NOT NULL,
    "b" TEXT NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "purged_counts_pkey" PRIMARY KEY ("source", "a", "b")
);
