// lib/actions/restore-dead-letter.ts against PostgreSQL: its one audit line, its domain errors,
// and nothing written when it refuses.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardDeadLetter } from '@/lib/actions/discard-dead-letter';
import { restoreDeadLetter } from '@/lib/actions/restore-dead-letter';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { actionErrorOf, auditLines } from './actions-fixtures';
import { recordState, seedDeadLetters } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('the restore action', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('actions_restore');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('brings a discarded dead letter back to pending and writes exactly one audit line of its own', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'restore.origin' });
    await discardDeadLetter(operator, { id: ids[0], reason: 'test traffic' }, db.pool);
    const result = await restoreDeadLetter({ name: 'adam@example.com', role: 'admin' }, { id: ids[0], reason: 'was real' }, db.pool);
    expect(result).toMatchObject({ id: ids[0], status: 'pending' });
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'pending', pending_count: 1 });
    const lines = await auditLines(db.pool, `dead-letter:${ids[0]}`);
    expect(lines.map((l) => l.action)).toEqual(['discard', 'restore']);
    expect(lines[1]).toEqual({
      actor: 'adam@example.com',
      action: 'restore',
      target: `dead-letter:${ids[0]}`,
      reason: 'was real',
      details: { deadLetterId: ids[0], from: 'discarded', to: 'pending' },
    });
  });

  it('without a reason: the audit line has none', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'restore.noreason' });
    await discardDeadLetter(operator, { id: ids[0], reason: 'test traffic' }, db.pool);
    await restoreDeadLetter(operator, { id: ids[0] }, db.pool);
    const lines = await auditLines(db.pool, `dead-letter:${ids[0]}`);
    expect(lines[1]).toMatchObject({ action: 'restore', actor: operator.name, reason: null });
  });

  it('a dead letter that is already pending: conflict (already-pending), nothing written', async () => {
    const { ids } = await seedDeadLetters(db.pool, { queue: 'restore.pending' });
    const err = await actionErrorOf(restoreDeadLetter(operator, { id: ids[0], reason: 'x' }, db.pool));
    expect(err.kind).toBe('conflict');
    expect(err.details).toEqual({ reason: 'already-pending', status: 'pending' });
    expect(await auditLines(db.pool, `dead-letter:${ids[0]}`)).toEqual([]);
  });

  it('an unknown dead letter: not_found', async () => {
    const err = await actionErrorOf(restoreDeadLetter(operator, { id: randomUUID() }, db.pool));
    expect(err.kind).toBe('not_found');
  });
});
