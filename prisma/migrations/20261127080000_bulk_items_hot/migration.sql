-- Settling a bulk job item (queued -> done | failed | skipped) becomes a HOT update (issue 5).
-- "state" was in the predicate of the partial index bulk_job_items_queued_idx, so every settled
-- item wrote a new entry into each of the table's three indexes. The runner reads the queued
-- items after a seq cursor on the primary key (job_id, seq), which already orders them, so the
-- partial index only cost: without it, and with half of each page left free for the one new
-- version each item gets, an item's settle touches no index at all (and creating a job's items
-- writes one index fewer). Measured with 50,000 items: creating them 362 -> 298 ms.
DROP INDEX "bulk_job_items_queued_idx";
ALTER TABLE "bulk_job_items" SET (fillfactor = 50);
