-- Store first, derive after (issue 20). The drain's transaction now does only what makes a dead
-- letter durable and exactly-once: one binary COPY of the raw deliveries into "dead_letter_inbox"
-- (bytes, properties, headers, fingerprint, and what the drain read from them in "prepared"; a
-- batch with a redelivery falls back to one INSERT ... ON CONFLICT), then the ack. Two index entries a message: the fingerprint (exactly-once) and
-- the primary key (tx, id) the derivation walks.
-- The derivation (lib/bus/derive-dead-letters.ts) then turns whole batches of inbox rows into the
-- records, messages, groups, rollups, history and search backlog with set-based statements, and in
-- the same transaction advances "derivation_state" (the watermark): a crash before its COMMIT
-- derives them again, never twice. Rows at or below the watermark are deleted later, when there
-- is nothing to derive (their fingerprints live on in dead_letter_messages). One process derives
-- at a time (the state row is locked FOR UPDATE SKIP LOCKED for the whole batch).
-- Order: "tx" is the writing transaction's id. Rows are derived in (tx, id) order, and only those
-- whose tx is older than every transaction still running (pg_snapshot_xmin): a drain batch that
-- commits late, with ids lower than rows already derived, is never skipped.
-- "id" comes from the messages' sequence: the row keeps it as dead_letter_messages.id.
CREATE TABLE "dead_letter_inbox" (
    "tx" XID8 NOT NULL DEFAULT pg_current_xact_id(),
    "id" BIGINT NOT NULL DEFAULT nextval('dead_letter_messages_id_seq'::regclass),
    "fingerprint" TEXT NOT NULL,
    "dlq" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- typed here, not only in "prepared": a time PostgreSQL cannot hold is refused by the drain's
    -- own write (and the message parked), never later by the derivation
    "failed_at" TIMESTAMPTZ(3) NOT NULL,
    "body" BYTEA NOT NULL,
    "properties" JSON NOT NULL,
    "headers" JSON NOT NULL,
    -- the drain's reading of the message (lib/bus/inbox-row.ts): record key, type, group, reason...
    "prepared" JSON NOT NULL,
    -- the text full-text search indexes (body as text, bounded, and the error): the derivation
    -- copies it into search_backlog inside PostgreSQL, it never travels back through Node
    "search_text" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "dead_letter_inbox_pkey" PRIMARY KEY ("tx", "id")
);

CREATE UNIQUE INDEX "dead_letter_inbox_fingerprint_key" ON "dead_letter_inbox"("fingerprint");

-- The derivation's progress: the last (tx, id) derived, totals, and when.
CREATE TABLE "derivation_state" (
    "name" TEXT NOT NULL,
    "last_tx" XID8 NOT NULL DEFAULT '0',
    "last_id" BIGINT NOT NULL DEFAULT 0,
    "derived_total" BIGINT NOT NULL DEFAULT 0,
    "derived_at" TIMESTAMPTZ(3),

    CONSTRAINT "derivation_state_pkey" PRIMARY KEY ("name")
);

INSERT INTO "derivation_state" ("name") VALUES ('dead-letters');
