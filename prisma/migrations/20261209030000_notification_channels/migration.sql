-- Notifications (issue 16): the channels admins manage in Settings, one delivery per (outbox event,
-- channel) with its retries, and the log of every attempt. The sender (lib/notifications) fans an
-- outbox row out into deliveries (ON CONFLICT DO NOTHING on (outbox_id, channel_id): a second
-- fan-out of the same row adds nothing) and delivers them under a lease, so several EventDesk
-- processes never send one delivery twice at once, and a dead process's lease expires.
CREATE TABLE "notification_channels" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    -- the HMAC-SHA256 key of X-EventDesk-Signature; shown once, at creation
    "secret" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    -- empty: every event type (not NULL: Prisma has no optional lists)
    "event_types" TEXT[] NOT NULL DEFAULT '{}',
    -- dlq.rate: more than rate_count dead letters in rate_minutes minutes
    "rate_count" INTEGER NOT NULL DEFAULT 100,
    "rate_minutes" INTEGER NOT NULL DEFAULT 5,
    -- drain.stopped / queue.no_consumers: for more than this many seconds
    "drain_stopped_seconds" INTEGER NOT NULL DEFAULT 60,
    "no_consumers_seconds" INTEGER NOT NULL DEFAULT 120,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_channels_kind_check" CHECK ("kind" IN ('webhook', 'slack')),
    CONSTRAINT "notification_channels_url_check" CHECK ("url" ~ '^https?://')
);

-- a row meant for one channel only (a test, a dlq.rate with that channel's own N and M)
ALTER TABLE "notification_outbox" ADD COLUMN "channel_id" UUID;

-- "id" is the delivery id sent in X-EventDesk-Delivery: the same on every retry.
-- status: pending | delivered | failed (gave up after NOTIFY_GIVE_UP_HOURS)
CREATE TABLE "notification_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "outbox_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed')),
    CONSTRAINT "notification_deliveries_outbox_id_fkey" FOREIGN KEY ("outbox_id") REFERENCES "notification_outbox"("id") ON DELETE CASCADE,
    CONSTRAINT "notification_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "notification_deliveries_outbox_id_channel_id_key" ON "notification_deliveries"("outbox_id", "channel_id");
-- the sender's work: only pending deliveries, by when they are due
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries"("next_attempt_at") WHERE "status" = 'pending';
-- Settings: a channel's last 50
CREATE INDEX "notification_deliveries_channel_id_created_at_idx" ON "notification_deliveries"("channel_id", "created_at" DESC);

-- every attempt: its HTTP status, or the error (timeout, refused, redirect ...)
CREATE TABLE "notification_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "status_code" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "notification_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "notification_deliveries"("id") ON DELETE CASCADE
);

CREATE INDEX "notification_attempts_delivery_id_at_idx" ON "notification_attempts"("delivery_id", "at");
