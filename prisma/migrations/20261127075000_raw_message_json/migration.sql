-- A raw message's properties, headers and x-death list are stored as json, not jsonb (issue 2).
-- They are written once per dead letter by the drain and only ever read back whole (detail page,
-- republish); nothing queries inside them. Parsing them into jsonb cost PostgreSQL ~90 us per
-- message (of ~320 us in all, measured with the drain's own rows), while json only checks the
-- syntax and keeps the text as written.
ALTER TABLE "dead_letter_messages"
    ALTER COLUMN "properties" TYPE JSON USING "properties"::json,
    ALTER COLUMN "headers" TYPE JSON USING "headers"::json,
    ALTER COLUMN "deaths" DROP DEFAULT,
    ALTER COLUMN "deaths" TYPE JSON USING "deaths"::json,
    ALTER COLUMN "deaths" SET DEFAULT '[]';
