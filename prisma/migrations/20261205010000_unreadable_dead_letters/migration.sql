-- Poison isolation (issue 14): a message the drain cannot read or store is parked (published to
-- the queue eventdesk.parked.<DLQ>) and recorded with status 'unreadable': its exact bytes, the
-- routing key, the queue from x-death when readable, and why, here. The column stays null for
-- every other dead letter; status is plain text, so 'unreadable' needs no other change (the
-- dead_letters_by_status triggers copy it like any status).
ALTER TABLE "dead_letters" ADD COLUMN "unreadable_reason" TEXT;
