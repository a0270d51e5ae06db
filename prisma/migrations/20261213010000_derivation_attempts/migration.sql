-- A derivation batch that kills its process (a message whose reading runs Node out of memory, or
-- any bug that takes the process down) would kill it again on every restart, the drain with it.
-- Each batch is announced here before its messages are read, committed on a connection of its own;
-- an announcement still standing at the same watermark at the next batch, made by another process
-- (the one that died), means the process died during that batch (lib/bus/derivation-attempts.ts).
CREATE TABLE "derivation_attempts" (
    "name" TEXT NOT NULL,
    -- the watermark the batch started from; NULL once it ended in an error the process caught
    "from_tx" xid8,
    "from_id" BIGINT,
    -- how many rows it took
    "size" INTEGER NOT NULL,
    -- batch: as usual; alone: one row after a death; set-aside: recording that row unread
    "mode" TEXT NOT NULL,
    -- deaths of the process already seen at this very row taken alone
    "deaths" INTEGER NOT NULL DEFAULT 0,
    -- the last row of a batch during which the process died: up to it, rows go one at a time
    "until_tx" xid8,
    "until_id" BIGINT,
    -- the process that announced it (host, pid and a random part)
    "owner" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "derivation_attempts_pkey" PRIMARY KEY ("name")
);
