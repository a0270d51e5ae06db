-- History and audit entries carry the time they were written, not their transaction's start:
-- now() is taken when a transaction begins, before it waits for the row locks it needs, so an
-- entry written after another (that it waited for) could read as earlier. Twenty concurrent
-- discards and restores showed "Discarded" three times in a row (an adversarial probe); the
-- actions, the derivation and the group lifecycle also write clock_timestamp() explicitly. The
-- default covers every other writer (bulk jobs, recovery, retries, notes). Metadata only.
ALTER TABLE "dead_letter_history" ALTER COLUMN "at" SET DEFAULT clock_timestamp();
ALTER TABLE "failure_group_history" ALTER COLUMN "at" SET DEFAULT clock_timestamp();
ALTER TABLE "audit_log" ALTER COLUMN "at" SET DEFAULT clock_timestamp();
