// Bodies over 1 MB (RabbitMQ allows 128 MB) are read from PostgreSQL in pieces, not as one
// multi-MB row (lib/bus/message-body.ts): a 20 MB dead letter is republished byte for byte, and a
// bulk claim hands out big and small bodies alike. The event-loop figure is logged, not asserted.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { claimForBulk } from '@/lib/bus/republish-outbox';
import { INLINE_BODY_BYTES } from '@/lib/bus/message-body';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { seedDeadLetters, testRuntime } from './republish-fixtures';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('republishing big bodies', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let rt: RepublishRuntime;
  let origin: string;

  beforeAll(async () => {
    db = await createTestDatabase('republish_big');
    broker = await createTestBroker();
    origin = await broker.queue(uniqueName('republish.big'));
    const ledger = uniqueName('republish.big.ledger');
    broker.track('queue', ledger);
    rt = testRuntime(db.url, broker.url, ledger);
  });

  afterAll(async () => {
    await rt?.close();
    await broker?.cleanup();
    await db?.drop();
  });

  it('a 20 MB dead letter reaches its queue byte for byte', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, body: () => body });
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const result = await republishOne(rt, { deadLetterId: ids[0], actor: { name: 'olivia@example.com', role: 'operator' }, reason: 'big one' });
    h.disable();
    expect(result.status).toBe('republished');
    const got = await until(
      'the republished copy',
      () => broker.channel.get(origin, { noAck: true }),
      (m) => m !== false,
      { timeoutMs: 30_000 },
    );
    expect(got && got.content.length).toBe(body.length);
    expect(got && sha(got.content)).toBe(sha(body));
    console.log(`20 MB republish: max event-loop delay ${(h.max / 1e6).toFixed(1)} ms`);
  });

  it('a bulk claim reads big bodies in pieces and small ones inline', async () => {
    const bodies = [randomBytes(3 * 1024 * 1024 + 7), Buffer.from(JSON.stringify({ eventId: randomUUID() })), randomBytes(INLINE_BODY_BYTES), Buffer.alloc(0)];
    const { ids } = await seedDeadLetters(db.pool, { queue: origin, count: bodies.length, body: (i) => bodies[i] });
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const rows = await claimForBulk(client, {
        deadLetterIds: ids,
        actor: 'olivia@example.com',
        reason: 'bulk',
        bulkJobId: randomUUID(),
        owner: 'test',
        maxRetries: 3,
        force: false,
      });
      for (const [i, id] of ids.entries()) {
        const row = rows.find((r) => r.id === id);
        expect(row?.intentId).toBeTruthy();
        expect(row?.body?.length).toBe(bodies[i].length);
        expect(sha(row!.body!)).toBe(sha(bodies[i]));
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
