-- Close the loop after a retry (issue 17): a dead letter that was republished and died again is
-- marked by the drain, in the statement that stores its new death. The mark stays (a later
-- republish does not clear it): it tells what happened to a retry, and a republish stays a HOT
-- update (it changes no column of these indexes, nor their predicate).
ALTER TABLE "dead_letters" ADD COLUMN "failed_again_after_retry" BOOLEAN NOT NULL DEFAULT false;

-- Partial, so they hold only the marked records (few): the list filtered by failedAgain=true
-- walks the first newest first; the groups view counts a page of groups' marked records with the
-- second.
CREATE INDEX "dead_letters_failed_again_last_failed_at_id_idx" ON "dead_letters"("last_failed_at" DESC, "id" DESC) WHERE "failed_again_after_retry";
CREATE INDEX "dead_letters_failed_again_group_id_idx" ON "dead_letters"("group_id") WHERE "failed_again_after_retry";
