-- Death times a client forged outside what the console can show (after year 9999, BC, before 1970)
-- or in the future broke every page listing the record and kept it from retention. The drain now
-- takes the message's arrival time for those (lib/bus/x-death.ts, deathTime); what was stored
-- before is repaired the same way: a time before 1970 or more than a day ahead of now becomes the
-- arrival time of the message that carried it (a record's first death: the record's arrival; its
-- last: its latest message's), a group's becomes now, and rows still waiting in the inbox take
-- their own arrival time.
UPDATE dead_letter_inbox SET failed_at = received_at
 WHERE failed_at < '1970-01-01' OR failed_at > received_at + interval '1 day';

UPDATE dead_letters d
   SET first_failed_at = CASE WHEN d.first_failed_at < '1970-01-01' OR d.first_failed_at > now() + interval '1 day'
                              THEN LEAST(d.received_at, now()) ELSE d.first_failed_at END,
       last_failed_at = CASE WHEN d.last_failed_at < '1970-01-01' OR d.last_failed_at > now() + interval '1 day'
                             THEN LEAST(COALESCE((SELECT m.received_at FROM dead_letter_messages m WHERE m.id = d.latest_message_id), d.received_at), now())
                             ELSE d.last_failed_at END
 WHERE d.first_failed_at < '1970-01-01' OR d.first_failed_at > now() + interval '1 day'
    OR d.last_failed_at < '1970-01-01' OR d.last_failed_at > now() + interval '1 day';

-- (first <= last again where only one of the two was repaired)
UPDATE dead_letters SET first_failed_at = last_failed_at WHERE first_failed_at > last_failed_at;

UPDATE failure_groups
   SET first_seen_at = CASE WHEN first_seen_at < '1970-01-01' OR first_seen_at > now() + interval '1 day' THEN now() ELSE first_seen_at END,
       last_seen_at = CASE WHEN last_seen_at < '1970-01-01' OR last_seen_at > now() + interval '1 day' THEN now() ELSE last_seen_at END
 WHERE first_seen_at < '1970-01-01' OR first_seen_at > now() + interval '1 day'
    OR last_seen_at < '1970-01-01' OR last_seen_at > now() + interval '1 day';
UPDATE failure_groups SET first_seen_at = last_seen_at WHERE first_seen_at > last_seen_at;
