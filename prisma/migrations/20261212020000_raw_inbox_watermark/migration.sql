-- A deriver older than raw inbox rows (20261212010000) cannot read them: it would record each as
-- an unreadable dead letter. During a rolling upgrade such a process may still run beside a new
-- one, so the watermark is renamed: an old deriver finds no watermark to lock, takes it as held by
-- another process and derives nothing, while the new version derives everything (rows written by
-- an old drainer, with their reading done, included).
UPDATE "derivation_state" SET "name" = 'raw-inbox' WHERE "name" = 'dead-letters';
