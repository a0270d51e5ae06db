-- Incidents (issue 16): every failure group has a lifecycle. status: open | acknowledged |
-- snoozed | resolved; a snoozed group whose snoozed_until has passed reads as open everywhere
-- (computed on read, lib/server/groups/group-status-sql.ts) and is set open for real by the
-- drain's write when a new dead letter of it is stored, as a resolved group is reopened there
-- (lib/bus/group-lifecycle-writes.ts): no periodic job.
ALTER TABLE "failure_groups"
    ADD COLUMN "status" TEXT NOT NULL DEFAULT 'open',
    ADD COLUMN "assignee_id" UUID,
    ADD COLUMN "snoozed_until" TIMESTAMPTZ(3),
    ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
    ADD COLUMN "reopened_count" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "status_changed_at" TIMESTAMPTZ(3),
    -- the last group.reopened notification written to the outbox (at most one per 10 minutes)
    ADD COLUMN "last_reopen_notified_at" TIMESTAMPTZ(3),
    ADD CONSTRAINT "failure_groups_status_check" CHECK ("status" IN ('open', 'acknowledged', 'snoozed', 'resolved')),
    ADD CONSTRAINT "failure_groups_snoozed_until_check" CHECK ("status" <> 'snoozed' OR "snoozed_until" IS NOT NULL),
    ADD CONSTRAINT "failure_groups_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- the tabs' counts (GROUP BY status) and "Assigned to me"
CREATE INDEX "failure_groups_status_idx" ON "failure_groups"("status", "last_seen_at" DESC);
CREATE INDEX "failure_groups_assignee_id_idx" ON "failure_groups"("assignee_id") WHERE "assignee_id" IS NOT NULL;

CREATE TABLE "failure_group_notes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "group_id" TEXT NOT NULL,
    "author_id" UUID,
    "author" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "text" TEXT NOT NULL,

    CONSTRAINT "failure_group_notes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "failure_group_notes_text_check" CHECK (char_length("text") BETWEEN 1 AND 10000),
    CONSTRAINT "failure_group_notes_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "failure_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "failure_group_notes_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "failure_group_notes_group_id_at_idx" ON "failure_group_notes"("group_id", "at");

CREATE TABLE "failure_group_history" (
    "id" BIGSERIAL NOT NULL,
    "group_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "details" JSONB,
    "reason" TEXT,

    CONSTRAINT "failure_group_history_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "failure_group_history_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "failure_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "failure_group_history_group_id_at_idx" ON "failure_group_history"("group_id", "at");
