-- Throughput's error rate per event (README, Monitoring): "dead_lettered" counts deaths, one per
-- consumer queue an event died in and again for each death after a retry, so deaths over
-- published events went past 100 %. "failed_events" counts each event once, at the first death
-- of its first record, whichever queue; the error rate is failed_events / published.
ALTER TABLE "event_minute_stats" ADD COLUMN "failed_events" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "event_quarter_stats" ADD COLUMN "failed_events" BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION "event_minute_stats_roll_up"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d_published BIGINT := NEW."published";
    d_dead BIGINT := NEW."dead_lettered";
    d_failed BIGINT := NEW."failed_events";
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d_published := NEW."published" - OLD."published";
        d_dead := NEW."dead_lettered" - OLD."dead_lettered";
        d_failed := NEW."failed_events" - OLD."failed_events";
    END IF;
    IF d_published = 0 AND d_dead = 0 AND d_failed = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO "event_quarter_stats" ("quarter", "event_type", "published", "dead_lettered", "failed_events")
    VALUES (date_bin('15 minutes', NEW."minute", TIMESTAMPTZ '1970-01-01 00:00:00+00'), NEW."event_type", d_published, d_dead, d_failed)
    ON CONFLICT ("quarter", "event_type") DO UPDATE
        SET "published" = "event_quarter_stats"."published" + EXCLUDED."published",
            "dead_lettered" = "event_quarter_stats"."dead_lettered" + EXCLUDED."dead_lettered",
            "failed_events" = "event_quarter_stats"."failed_events" + EXCLUDED."failed_events";
    RETURN NULL;
END;
$$;

-- The minutes kept so far, from the stored records: each event counted at its earliest death.
WITH firsts AS (
    SELECT DISTINCT ON ("event_key") "event_key", "first_failed_at", COALESCE("event_type", '(unknown)') AS "event_type"
    FROM "dead_letters" WHERE "status" <> 'unreadable'
    ORDER BY "event_key", "first_failed_at"
), counted AS (
    SELECT date_trunc('minute', "first_failed_at") AS "minute", "event_type", count(*) AS n FROM firsts GROUP BY 1, 2
)
UPDATE "event_minute_stats" s SET "failed_events" = c.n
FROM counted c WHERE s."minute" = c."minute" AND s."event_type" = c."event_type";
