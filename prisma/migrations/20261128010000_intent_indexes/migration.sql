-- Two indexes of "republish_intents" that no query needs (issue 5: bulk republish throughput).
-- Every lookup of intents by dead letter asks for the unfinished one, which the partial unique
-- index "republish_intents_one_pending_key" answers; recovery lists the unfinished intents
-- (a handful, normally none) from that same index and sorts them. Each intent is written twice
-- (claimed, settled), and each write put an entry into these: three index entries a message.
DROP INDEX "republish_intents_dead_letter_id_idx";
DROP INDEX "republish_intents_pending_created_at_idx";
