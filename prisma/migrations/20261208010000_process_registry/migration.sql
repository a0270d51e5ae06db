-- Several processes (issue 19): each EventDesk process (web server or worker) has a row here from
-- its start to its clean stop, with a heartbeat every 5 s; a row whose heartbeat is older than
-- 30 s is not live (its process died without stopping), and such rows are purged after an hour.
-- "duties" are the once-per-cluster duties it holds right now (their session advisory locks);
-- "owner_id" is its republish owner id (republish_intents.owner, bulk_jobs.lease_owner), so a
-- bulk job's lease can be shown as the process running it.
CREATE TABLE "eventdesk_processes" (
    "id" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "duties" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "owner_id" TEXT,

    CONSTRAINT "eventdesk_processes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "eventdesk_processes_role_check" CHECK ("role" IN ('web', 'worker'))
);

CREATE INDEX "eventdesk_processes_heartbeat_at_idx" ON "eventdesk_processes"("heartbeat_at");
CREATE INDEX "eventdesk_processes_owner_id_idx" ON "eventdesk_processes"("owner_id");
