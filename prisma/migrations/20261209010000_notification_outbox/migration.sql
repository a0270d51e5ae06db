-- Notifications (issue 16): the outbox. An event meant to reach people (group.new,
-- group.reopened, dlq.rate, drain.stopped, queue.no_consumers, test) is written here in the same
-- transaction that causes it (for group events: the drain's write that creates or reopens the
-- group), so it exists exactly once however many processes drain. The notification sender
-- (lib/notifications) turns each row into one delivery per subscribed channel and then sets
-- dispatched_at; deliveries carry the retries.
-- "dedupe_key": events with a key are written at most once per key (ON CONFLICT DO NOTHING), e.g.
-- "group.new:<group id>".
CREATE TABLE "notification_outbox" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "type" TEXT NOT NULL,
    "event_type" TEXT,
    "group_id" TEXT,
    "dedupe_key" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "dispatched_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_outbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_outbox_type_check" CHECK ("type" IN ('group.new', 'group.reopened', 'dlq.rate', 'drain.stopped', 'queue.no_consumers', 'test'))
);

CREATE UNIQUE INDEX "notification_outbox_dedupe_key_key" ON "notification_outbox"("dedupe_key");
-- the sender's work: only what is not dispatched yet (few rows)
CREATE INDEX "notification_outbox_pending_idx" ON "notification_outbox"("created_at") WHERE "dispatched_at" IS NULL;
