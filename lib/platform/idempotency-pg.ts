// The idempotency store in PostgreSQL (table platform_processed_events, migration
// 20261127050000_platform_idempotency), shared by every instance of a service.
import type { Pool } from 'pg';
import type { ClaimResult, IdempotencyStore } from './idempotency';

export class PgIdempotencyStore implements IdempotencyStore {
  constructor(private readonly pool: Pool) {}

  async claim(service: string, eventId: string, leaseMs: number, attempt = 0): Promise<ClaimResult> {
    // Insert a claim, or take over one whose lease ran out; a finished row is never touched.
    const claimed = await this.pool.query(
      `INSERT INTO "platform_processed_events" ("service", "event_id", "status", "claimed_at")
       VALUES ($1, $2, 'processing', now())
       ON CONFLICT ("service", "event_id") DO UPDATE SET "claimed_at" = now()
         WHERE "platform_processed_events"."status" = 'processing'
           AND "platform_processed_events"."claimed_at" < now() - make_interval(secs => $3::double precision / 1000)
       RETURNING "status"`,
      [service, eventId, leaseMs],
    );
    if (claimed.rowCount) return 'claimed';
    const row = await this.pool.query<{ status: string }>(`SELECT "status" FROM "platform_processed_events" WHERE "service" = $1 AND "event_id" = $2`, [
      service,
      eventId,
    ]);
    const status = row.rows[0]?.status;
    if (status === 'done') return 'done';
    // Released between the two statements: try once more.
    if (status === undefined && attempt < 3) return this.claim(service, eventId, leaseMs, attempt + 1);
    return 'busy';
  }

  async complete(service: string, eventId: string): Promise<void> {
    await this.pool.query(
      `UPDATE "platform_processed_events" SET "status" = 'done', "completed_at" = now()
       WHERE "service" = $1 AND "event_id" = $2`,
      [service, eventId],
    );
  }

  async release(service: string, eventId: string): Promise<void> {
    await this.pool.query(`DELETE FROM "platform_processed_events" WHERE "service" = $1 AND "event_id" = $2 AND "status" = 'processing'`, [service, eventId]);
  }

  /** Forgets handled events older than `olderThanDays`, in small batches (keeps locks short). */
  async purge(olderThanDays: number, batchSize = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await this.pool.query(
        `DELETE FROM "platform_processed_events" WHERE ctid IN (
           SELECT ctid FROM "platform_processed_events"
           WHERE "status" = 'done' AND "completed_at" < now() - make_interval(days => $1::int)
           LIMIT $2)`,
        [olderThanDays, batchSize],
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < batchSize) return total;
    }
  }
}
