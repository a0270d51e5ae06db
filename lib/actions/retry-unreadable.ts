// The retry-unreadable action: an operator's retry of an unreadable dead letter (one the drain parked or the derivation set aside): its stored bytes,
// properties and headers go through prepare, the drain's store and the derivation again, in one transaction.
// Stored, it becomes a normal pending dead letter (a new record, or a death of an existing one
// with the same event), takes the parked record's history and replaces it; refused, nothing
// changes and the reason comes back (unprocessable). A parked one's copy in eventdesk.parked.<DLQ> stays where
// it is: that queue is the broker-side archive of what was parked (a set-aside one has none).
import type pg from 'pg';
import { conflict, notFound, unprocessable } from '@/lib/action-error';
import { deadLetterTarget, recordAudit } from '@/lib/audit/record-audit';
import { storedMessage } from '@/lib/bus/inbox-row';
import { prepareDeadLetter } from '@/lib/bus/prepare-dead-letter';
import { inTransaction } from '@/lib/bus/republish-outbox';
import { isTransientStoreError, storeErrorText } from '@/lib/bus/store-errors';
import { storeAndDerive } from '@/lib/bus/derive-records';
import type { RetryUnreadableRequest } from '@/lib/schemas/republish';
import type { Actor } from './actor';
import { getRepublishRuntime } from './runtime';

export interface RetryUnreadableResult {
  /** the pending dead letter it became */
  id: string;
  status: 'pending';
  /** the unreadable record it replaced (deleted) */
  previousId: string;
}

interface ParkedRow {
  id: string;
  status: string;
  routing_key: string | null;
  received_at: Date;
  dlq: string;
  body: Buffer | null;
  properties: unknown;
  headers: unknown;
}

export async function retryUnreadable(
  actor: Actor,
  input: RetryUnreadableRequest & { id: string },
  pool: pg.Pool = getRepublishRuntime().pool,
): Promise<RetryUnreadableResult> {
  const { id } = input;
  const reason = input.reason ?? null;
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<ParkedRow>(
      `SELECT d.id::text AS id, d.status, d.routing_key, d.received_at, d.dlq, m.body, m.properties, m.headers
         FROM dead_letters d
         LEFT JOIN dead_letter_messages m ON m.id = d.latest_message_id AND m.dead_letter_id = d.id
        WHERE d.id = $1::uuid
        FOR UPDATE OF d`,
      [id],
    );
    const row = rows[0];
    if (!row) throw notFound('Dead letter');
    if (row.status !== 'unreadable') throw conflict(`This dead letter is ${row.status}, not unreadable`, { reason: 'not-unreadable', status: row.status });
    if (!row.body) throw unprocessable('The parked message has no stored bytes to retry', { reason: 'no-message' });

    const { message: msg, undecodable } = storedMessage(Buffer.from(row.body), row.properties, row.headers, { redelivered: true, routingKey: row.routing_key });
    // stored values no decoder reads (what the derivation set aside for): still unreadable
    if (undecodable) throw unprocessable(`Still unreadable: ${undecodable}`, { reason: 'unreadable', error: undecodable });
    const prepared = prepareDeadLetter(msg, row.received_at);
    if (prepared.unreadable) throw unprocessable(`Still unreadable: ${prepared.unreadable}`, { reason: 'unreadable', error: prepared.unreadable });

    await tx.query('SAVEPOINT retry_unreadable');
    try {
      // drained from the same DLQ as the parked copy; a resolved group it reopens is the operator's doing
      await storeAndDerive(tx, [prepared], row.dlq, { actor: actor.name, deadLetter: 'a retried dead letter' });
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT retry_unreadable');
      const why = storeErrorText(err);
      throw unprocessable(`Still refused by the database: ${why}`, { reason: 'unstorable', error: why });
    }
    const stored = await tx.query<{ id: string }>(`SELECT id::text AS id FROM dead_letters WHERE event_key = $1 AND queue = $2`, [
      prepared.eventKey,
      prepared.queue,
    ]);
    const newId = stored.rows[0]?.id;
    if (!newId) throw new Error('retried dead letter not found after its write');
    // the parked record's story moves to the record it became; then it goes (its message too)
    await tx.query(`UPDATE dead_letter_history SET dead_letter_id = $2 WHERE dead_letter_id = $1`, [id, newId]);
    await tx.query(`INSERT INTO dead_letter_history (dead_letter_id, action, actor, reason, details) VALUES ($1, 'retried', $2, $3, $4)`, [
      newId,
      actor.name,
      reason,
      JSON.stringify({ from: 'unreadable', previousId: id }),
    ]);
    await tx.query(`DELETE FROM dead_letters WHERE id = $1`, [id]);
    await recordAudit(tx, [
      {
        actor: actor.name,
        action: 'retry-unreadable',
        target: deadLetterTarget(newId),
        reason,
        details: { deadLetterId: newId, previousId: id, from: 'unreadable', to: 'pending' },
      },
    ]);
    return { id: newId, status: 'pending', previousId: id };
  });
}
