-- The sign-in limiter keeps one counter row per key (account+address, address) instead of a row
-- per attempt: each try counts and decides in one INSERT ... ON CONFLICT DO UPDATE, so parallel
-- tries cannot all pass a check before any of them is recorded.
CREATE TABLE "sign_in_throttle" (
    "key" TEXT NOT NULL,
    -- every try seen since the counter started, refused ones included
    "attempts" INTEGER NOT NULL DEFAULT 0,
    -- tries let through to the password check and not (yet) found right
    "failures" INTEGER NOT NULL DEFAULT 0,
    -- whether the latest try was let through (what the one statement decided)
    "allowed" BOOLEAN NOT NULL DEFAULT true,
    "last_failure_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- no try before this (null: no wait)
    "next_try_at" TIMESTAMPTZ(3),

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "sign_in_throttle_last_failure_at_idx" ON "sign_in_throttle"("last_failure_at");

-- The per-attempt log of the former limiter: its counts move to the table above.
DROP TABLE "sign_in_attempts";
