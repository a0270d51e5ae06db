// lib/actions/discard-dead-letter.ts against PostgreSQL: its one audit line, its domain errors,
// and nothing written when it refuses.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardDeadLetter } from '@/lib/actions/discard-dead-letter';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf, auditLines } from './actions-fixtures';
import { insertIntent, recordState, seedDeadLetters } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('the discard action', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('actions_discard');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('discards a pending dead letter and writes exactly one audit line: actor, action, target, reason, the change', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'discard.origin', count: 2 });
    const result = await discardDeadLetter(operator, { id: ids[0], reason: 'test traffic' }, db.pool);
    expect(result).toMatchObject({ id: ids[0], status: 'discarded' });
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'discarded', pending_count: 1 });
    expect(await auditLines(db.pool, `dead-letter:${ids[0]}`)).toEqual([
      {
        actor: operator.name,
        action: 'discard',
        target: `dead-letter:${ids[0]}`,
        reason: 'test traffic',
        details: { deadLetterId: ids[0], from: 'pending', to: 'discarded' },
      },
    ]);
  });

  it('a dead letter that is not pending: conflict (not-pending), and nothing more written', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'discard.twice' });
    await discardDeadLetter(operator, { id: ids[0], reason: 'first' }, db.pool);
    const err = await actionErrorOf(discardDeadLetter(operator, { id: ids[0], reason: 'again' }, db.pool));
    expect(err.kind).toBe('conflict');
    expect(err.details).toEqual({ reason: 'not-pending', status: 'discarded' });
    expect(await auditLines(db.pool, `dead-letter:${ids[0]}`)).toHaveLength(1);
  });

  it('a republish in flight: conflict (in-flight), nothing changed', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'discard.inflight' });
    await insertIntent(db.pool, { deadLetterId: ids[0], queue: 'discard.inflight', owner: 'someone-else' });
    const err = await actionErrorOf(discardDeadLetter(operator, { id: ids[0], reason: 'x' }, db.pool));
    expect(err.kind).toBe('conflict');
    expect(err.details).toEqual({ reason: 'in-flight' });
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending' });
    expect(await auditLines(db.pool, `dead-letter:${ids[0]}`)).toEqual([]);
  });

  it('a discard that waited for the record: its history and audit carry the time it happened, not when its transaction began', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'discard.waited' });
    const id = ids[0];
    // another transaction holds the record for 500 ms: the discard begins, then waits for it
    const holder = await db.pool.connect();
    let released = 0;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM dead_letters WHERE id = $1 FOR UPDATE', [id]);
      const discard = discardDeadLetter(operator, { id, reason: 'waited' }, db.pool);
      await new Promise((r) => setTimeout(r, 500));
      const { rows } = await holder.query<{ t: Date }>('SELECT clock_timestamp() AS t');
      released = rows[0].t.getTime();
      await holder.query('COMMIT');
      await discard;
    } finally {
      holder.release();
    }
    // with now() they were ~500 ms before the release: two concurrent changes of one record then
    // showed in the wrong order (20 alternating discards and restores: "Discarded" three times in a row)
    const { rows: history } = await db.pool.query<{ at: Date }>(`SELECT at FROM dead_letter_history WHERE dead_letter_id = $1 AND action = 'discarded'`, [id]);
    const { rows: audit } = await db.pool.query<{ at: Date }>(`SELECT at FROM audit_log WHERE target = $1`, [`dead-letter:${id}`]);
    const { rows: record } = await db.pool.query<{ updated_at: Date }>(`SELECT updated_at FROM dead_letters WHERE id = $1`, [id]);
    for (const at of [history[0].at, audit[0].at, record[0].updated_at]) expect(at.getTime()).toBeGreaterThanOrEqual(released);
  });

  it('history and audit entries written by default take the time they were written, not their transaction start', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'discard.defaults' });
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      for (const action of ['first', 'second']) {
        await client.query(`INSERT INTO dead_letter_history (dead_letter_id, action, actor) VALUES ($1, $2, 'test')`, [ids[0], action]);
        await client.query(`INSERT INTO audit_log (actor, action, target) VALUES ('test', $1, $2)`, [action, `dead-letter:${ids[0]}`]);
        await client.query('SELECT pg_sleep(0.05)');
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    for (const table of ['dead_letter_history', 'audit_log']) {
      const { rows } = await db.pool.query<{ action: string; at: Date }>(`SELECT action, at FROM ${table} WHERE action IN ('first', 'second') ORDER BY id`);
      expect(rows.map((r) => r.action)).toEqual(['first', 'second']);
      // one transaction: with now() both had its start
      expect(rows[1].at.getTime() - rows[0].at.getTime(), table).toBeGreaterThanOrEqual(40);
    }
  });

  it('an unknown dead letter: not_found', async () => {
    const err = await actionErrorOf(discardDeadLetter(operator, { id: randomUUID(), reason: 'x' }, db.pool));
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe('Dead letter not found');
  });
});
