-- Death times a client forged outside what the console can show (after year 9999, BC, before 1970)
-- or in the future broke every page listing the record and kept it from retention. The drain now
-- takes the arrival time for those (lib/bus/x-death.ts, deathTime); records and groups stored
-- before are repaired: a time before 1970 or more than a day ahead of now becomes the record's
-- arrival time (its groups: now).
UPDATE dead_letters
   SET first_failed_at = CASE WHEN first_failed_at < '1970-01-01' OR first_failed_at > now() + interval '1 day' THEN LEAST(received_at, now()) ELSE first_failed_at END,
       last_failed_at = CASE WHEN last_failed_at < '1970-01-01' OR last_failed_at > now() + interval '1 day' THEN LEAST(received_at, now()) ELSE last_failed_at END
 WHERE first_failed_at < '1970-01-01' OR first_failed_at > now() + interval '1 day'
    OR last_failed_at < '1970-01-01' OR last_failed_at > now() + interval '1 day';

-- (first <= last again where only one of the two was repaired)
UPDATE dead_letters SET first_failed_at = last_failed_at WHERE first_failed_at > last_failed_at;

UPDATE failure_groups
   SET first_seen_at = CASE WHEN first_seen_at < '1970-01-01' OR first_seen_at > now() + interval '1 day' THEN now() ELSE first_seen_at END,
       last_seen_at = CASE WHEN last_seen_at < '1970-01-01' OR last_seen_at > now() + interval '1 day' THEN now() ELSE last_seen_at END
 WHERE first_seen_at < '1970-01-01' OR first_seen_at > now() + interval '1 day'
    OR last_seen_at < '1970-01-01' OR last_seen_at > now() + interval '1 day';
UPDATE failure_groups SET first_seen_at = last_seen_at WHERE first_seen_at > last_seen_at;
