-- Fix a whole group at once (README, Fix a whole group): a bulk job may carry a transformation
-- (JSON Patch or JSONata) applied to each body before it is sent, and may start later.
ALTER TABLE "bulk_jobs" ADD COLUMN "transform" JSONB;
-- a 'scheduled' job starts when this time comes (the runner claims it then)
ALTER TABLE "bulk_jobs" ADD COLUMN "start_at" TIMESTAMPTZ(3);
