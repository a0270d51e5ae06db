-- The event library claims events by their id lower-cased (UUIDs are case-insensitive: one event
-- sent in upper and in lower case was handled twice). Rows written before under another spelling
-- are lower-cased too, or a redelivery of an event handled then would find no row and run again.
-- Where two spellings of one id exist for a service, one row stays: 'done' over 'processing',
-- else the one spelled lowest.
DELETE FROM "platform_processed_events" p
 USING "platform_processed_events" q
 WHERE q."service" = p."service"
   AND lower(q."event_id") = lower(p."event_id")
   AND q."event_id" <> p."event_id"
   AND ((q."status" = 'done' AND p."status" <> 'done')
        OR ((q."status" = 'done') = (p."status" = 'done') AND q."event_id" < p."event_id"));

UPDATE "platform_processed_events" SET "event_id" = lower("event_id") WHERE "event_id" <> lower("event_id");
