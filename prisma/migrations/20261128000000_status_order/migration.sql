-- A dead letter's status change becomes a HOT update (issue 5: bulk republish throughput).
-- "status" was in one index of "dead_letters" (status, last_failed_at, id), and an update that
-- changes any indexed column writes a new entry into every one of the table's ten indexes:
-- ~40 us of PostgreSQL per republished message on the 2-core machine, the largest single cost
-- of settling a bulk batch. Now:
--   * that order lives in "dead_letters_by_status", a narrow copy (id, status, last_failed_at)
--     kept by statement-level triggers, so no writer can forget it and each statement updates
--     it in one set-based step;
--   * "dead_letters" indexes no column a status change touches, and leaves room on its pages
--     (fillfactor 70) for the new row version next to the old one (pages written from now on:
--     existing full pages fill up as before until rows leave them);
--   * lists filtered by status alone walk the narrow index (lib/server/dead-letters/list-dead-letters.ts).

CREATE TABLE "dead_letters_by_status" (
    "dead_letter_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "dead_letters_by_status_pkey" PRIMARY KEY ("dead_letter_id")
);

CREATE INDEX "dead_letters_by_status_status_last_failed_at_id_idx"
    ON "dead_letters_by_status"("status", "last_failed_at" DESC, "dead_letter_id" DESC);

-- A process still running the previous version (a worker draining) must not change a dead
-- letter between this copy and the triggers below: held until the migration commits.
LOCK TABLE "dead_letters" IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO "dead_letters_by_status" ("dead_letter_id", "status", "last_failed_at")
SELECT "id", "status", "last_failed_at" FROM "dead_letters";

-- No foreign key: its per-row check would cost the drain more than the copy itself; the
-- delete and truncate triggers keep the two tables in step instead.
CREATE FUNCTION "dead_letters_by_status_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "dead_letters_by_status" ("dead_letter_id", "status", "last_failed_at")
  SELECT n."id", n."status", n."last_failed_at" FROM new_rows n
  ON CONFLICT ("dead_letter_id") DO UPDATE SET "status" = EXCLUDED."status", "last_failed_at" = EXCLUDED."last_failed_at";
  RETURN NULL;
END $$;

CREATE FUNCTION "dead_letters_by_status_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "dead_letters_by_status" s SET "status" = n."status", "last_failed_at" = n."last_failed_at"
  FROM new_rows n JOIN old_rows o ON o."id" = n."id"
  WHERE s."dead_letter_id" = n."id"
    AND (n."status" IS DISTINCT FROM o."status" OR n."last_failed_at" IS DISTINCT FROM o."last_failed_at");
  RETURN NULL;
END $$;

CREATE FUNCTION "dead_letters_by_status_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "dead_letters_by_status" s USING old_rows o WHERE s."dead_letter_id" = o."id";
  RETURN NULL;
END $$;

CREATE FUNCTION "dead_letters_by_status_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "dead_letters_by_status";
  RETURN NULL;
END $$;

CREATE TRIGGER "dead_letters_by_status_insert" AFTER INSERT ON "dead_letters"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "dead_letters_by_status_insert"();
CREATE TRIGGER "dead_letters_by_status_update" AFTER UPDATE ON "dead_letters"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "dead_letters_by_status_update"();
CREATE TRIGGER "dead_letters_by_status_delete" AFTER DELETE ON "dead_letters"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "dead_letters_by_status_delete"();
CREATE TRIGGER "dead_letters_by_status_truncate" AFTER TRUNCATE ON "dead_letters"
    FOR EACH STATEMENT EXECUTE FUNCTION "dead_letters_by_status_truncate"();

DROP INDEX "dead_letters_status_last_failed_at_id_idx";
ALTER TABLE "dead_letters" SET (fillfactor = 70);
