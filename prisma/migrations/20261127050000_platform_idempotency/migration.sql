-- CreateTable
CREATE TABLE "platform_processed_events" (
    "service" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'processing',
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "platform_processed_events_pkey" PRIMARY KEY ("service","event_id")
);

-- CreateIndex
CREATE INDEX "platform_processed_events_completed_at_idx" ON "platform_processed_events"("completed_at");
