-- Per-minute event counts per type: published (tap) and dead-lettered (drain).
CREATE TABLE "event_minute_stats" (
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "event_type" TEXT NOT NULL,
    "published" BIGINT NOT NULL DEFAULT 0,
    "dead_lettered" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "event_minute_stats_pkey" PRIMARY KEY ("minute", "event_type")
);
