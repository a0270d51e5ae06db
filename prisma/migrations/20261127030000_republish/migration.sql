-- Fix and republish (issue 5): the republish outbox, bulk jobs with their selection snapshot,
-- and the append-only audit log.

-- One row per attempt to republish one dead letter, written BEFORE anything is published.
-- The partial unique index allows one unfinished intent per dead letter: a second click, a
-- second operator or a retried HTTP call cannot start another publish while one is in flight.
CREATE TABLE "republish_intents" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "dead_letter_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "republish_number" INTEGER NOT NULL,
    "target_kind" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "routing_key" TEXT NOT NULL,
    "ledger" BOOLEAN NOT NULL,
    "edited_body" BYTEA,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "details" JSONB,
    "bulk_job_id" UUID,
    "owner" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "republish_intents_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "republish_intents_one_pending_key" ON "republish_intents"("dead_letter_id") WHERE "state" = 'pending';
CREATE INDEX "republish_intents_pending_created_at_idx" ON "republish_intents"("created_at") WHERE "state" = 'pending';
CREATE INDEX "republish_intents_dead_letter_id_idx" ON "republish_intents"("dead_letter_id");

-- Bulk republish/discard jobs. The selection is snapshotted into bulk_job_items when the job is
-- created, so the job works on a stable set of ids whatever arrives later.
CREATE TABLE "bulk_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "action" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "selection" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "force" BOOLEAN NOT NULL DEFAULT false,
    "rate_per_second" INTEGER NOT NULL DEFAULT 100,
    "total" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "returned" INTEGER NOT NULL DEFAULT 0,
    "rate_observed" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "pause_reason" TEXT,
    "last_error" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_jobs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "bulk_jobs_status_created_at_idx" ON "bulk_jobs"("status", "created_at");

-- state: queued | done | failed | skipped
CREATE TABLE "bulk_job_items" (
    "job_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "dead_letter_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_job_items_pkey" PRIMARY KEY ("job_id", "seq")
);

CREATE INDEX "bulk_job_items_queued_idx" ON "bulk_job_items"("job_id", "seq") WHERE "state" = 'queued';
CREATE INDEX "bulk_job_items_dead_letter_id_idx" ON "bulk_job_items"("dead_letter_id");

ALTER TABLE "bulk_job_items" ADD CONSTRAINT "bulk_job_items_job_id_fkey"
    FOREIGN KEY ("job_id") REFERENCES "bulk_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Who did what, when, to what, and why. No foreign keys: the log outlives the dead letters that
-- retention purges. Append-only is enforced by the database itself, not just by convention.
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- Newest first by id (ids grow with time); filters by actor or action page by keyset on id.
CREATE INDEX "audit_log_actor_id_idx" ON "audit_log"("actor", "id" DESC);
CREATE INDEX "audit_log_action_id_idx" ON "audit_log"("action", "id" DESC);

CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log"
    FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
