-- Dead letters, their raw messages, history, and failure groups.

CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_key" TEXT NOT NULL,
    "event_key_source" TEXT NOT NULL,
    "event_id" TEXT,
    "event_type" TEXT,
    "version" TEXT,
    "routing_key" TEXT,
    "queue" TEXT NOT NULL,
    "reason" TEXT,
    "exchange" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "republish_count" INTEGER NOT NULL DEFAULT 0,
    "first_failed_at" TIMESTAMPTZ(3) NOT NULL,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "error_message" TEXT,
    "validation_status" TEXT NOT NULL,
    "violations" JSONB NOT NULL DEFAULT '[]',
    "correlation_id" TEXT,
    "group_id" TEXT NOT NULL,
    "content_type" TEXT,
    "body_size" INTEGER NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "latest_message_id" BIGINT,
    "search_text" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "dead_letters_event_key_queue_key" ON "dead_letters"("event_key", "queue");
CREATE INDEX "dead_letters_last_failed_at_id_idx" ON "dead_letters"("last_failed_at" DESC, "id" DESC);

CREATE TABLE "dead_letter_messages" (
    "id" BIGSERIAL NOT NULL,
    "dead_letter_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "properties" JSONB NOT NULL,
    "headers" JSONB NOT NULL,
    "deaths" JSONB NOT NULL DEFAULT '[]',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_messages_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "dead_letter_messages_fingerprint_key" ON "dead_letter_messages"("fingerprint");
CREATE INDEX "dead_letter_messages_dead_letter_id_idx" ON "dead_letter_messages"("dead_letter_id");

ALTER TABLE "dead_letter_messages" ADD CONSTRAINT "dead_letter_messages_dead_letter_id_fkey"
    FOREIGN KEY ("dead_letter_id") REFERENCES "dead_letters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "dead_letter_history" (
    "id" BIGSERIAL NOT NULL,
    "dead_letter_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "dead_letter_history_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "dead_letter_history_dead_letter_id_at_idx" ON "dead_letter_history"("dead_letter_id", "at");

ALTER TABLE "dead_letter_history" ADD CONSTRAINT "dead_letter_history_dead_letter_id_fkey"
    FOREIGN KEY ("dead_letter_id") REFERENCES "dead_letters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "failure_groups" (
    "id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "pending_count" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "failure_groups_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "failure_groups_last_seen_at_idx" ON "failure_groups"("last_seen_at" DESC);

CREATE TABLE "failure_group_hours" (
    "group_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "failure_group_hours_pkey" PRIMARY KEY ("group_id", "hour")
);
