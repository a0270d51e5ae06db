// Group assignment end to end: two dead letters that differ only in ids, drained from a real
// DLQ by the real drainer, fall into one failure group, and the triage queries read them back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { Drainer } from '@/lib/bus/drainer';
import { SearchIndexer } from '@/lib/bus/search-indexer';
import { createPrismaClient } from '@/lib/server/db';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { FULL_TEXT_SEARCH } from '@/lib/server/dead-letters/dead-letter-where';
import { listDeadLetters } from '@/lib/server/dead-letters/list-dead-letters';
import { getDeadLetter } from '@/lib/server/dead-letters/get-dead-letter';
import { listGroups } from '@/lib/server/groups/list-groups';
import { deadLetterListQuerySchema } from '@/lib/schemas/dead-letters';
import { groupListQuerySchema } from '@/lib/schemas/groups';
import { publishAll, TEST_MASKING, testLogger, waitFor } from './drain-helpers';

let db: TestDatabase;
let broker: TestBroker;
let drainer: Drainer;
let indexer: SearchIndexer;
let prisma: PrismaClient;
let dlq: string;
const consumerQueue = uniqueName('grading-service');

beforeAll(async () => {
  db = await createTestDatabase('triagedrain');
  broker = await createTestBroker();
  dlq = await broker.queue(uniqueName('triage.dlq'));
  // wired as in lib/runtime/background.ts: each commit kicks the search indexer
  indexer = new SearchIndexer(db.pool, testLogger, TEST_MASKING, { idleMs: 60_000 }).start();
  drainer = new Drainer({
    amqpUrl: broker.url,
    queue: dlq,
    databaseUrl: db.url,
    batchSize: 50,
    lingerMs: 10,
    logger: testLogger,
    onStored: () => indexer.kick(),
  });
  await drainer.start();
  prisma = createPrismaClient(db.url, 2);
});

afterAll(async () => {
  await drainer?.stop();
  await indexer?.stop();
  await prisma?.$disconnect();
  await broker?.cleanup();
  await db?.drop();
});

function deadLetter(studentId: number, courseId: string, at: Date) {
  const eventId = randomUUID();
  const body = {
    eventId,
    eventType: 'course.enrolled',
    timestamp: at.toISOString(),
    version: '1.0',
    source: 'enrolment-service',
    data: { studentId, courseId },
  };
  return {
    body: Buffer.from(JSON.stringify(body)),
    options: {
      messageId: eventId,
      contentType: 'application/json',
      correlationId: `corr-${eventId}`,
      headers: {
        // what RabbitMQ adds when a consumer rejects, and what Spring AMQP adds with the error
        'x-death': [
          {
            queue: consumerQueue,
            reason: 'rejected',
            count: 1,
            exchange: 'edu.events',
            'routing-keys': ['course.enrolled'],
            time: { '!': 'timestamp', value: Math.floor(at.getTime() / 1000) },
          },
        ],
        'x-first-death-queue': consumerQueue,
        'x-first-death-reason': 'rejected',
        'x-exception-message': `Student ${studentId} not found in course ${courseId} at ${at.toISOString()}`,
      },
    },
  };
}

it('puts two drained messages that differ only in ids into one group', async () => {
  const now = Date.now();
  await publishAll(broker.connection, dlq, [deadLetter(48213, randomUUID(), new Date(now - 120_000)), deadLetter(7, randomUUID(), new Date(now - 60_000))]);
  const page = await waitFor(
    async () => {
      const p = await listDeadLetters(deadLetterListQuerySchema.parse({ queue: consumerQueue }), FULL_TEXT_SEARCH, prisma);
      return p.items.length === 2 ? p : null;
    },
    30_000,
    'two drained dead letters',
  );

  const [a, b] = page.items;
  expect(a.groupId).toBe(b.groupId);
  expect(a.errorMessage).not.toBe(b.errorMessage);
  expect(a).toMatchObject({ eventType: 'course.enrolled', queue: consumerQueue, reason: 'rejected', status: 'pending' });

  const groups = await listGroups(groupListQuerySchema.parse({ queue: consumerQueue }), prisma);
  expect(groups.items).toHaveLength(1);
  expect(groups.items[0]).toMatchObject({ id: a.groupId, count: 2, pendingCount: 2, signature: 'Student <n> not found in course <uuid> at <ts>' });
  expect(groups.items[0].hourly.reduce((s, n) => s + n, 0)).toBe(2);

  const byGroup = await listDeadLetters(deadLetterListQuerySchema.parse({ groupId: a.groupId }), FULL_TEXT_SEARCH, prisma);
  expect(byGroup.items.map((d) => d.id)).toEqual([a.id, b.id]);

  // the detail reads what the drain stored: exact body, tagged headers, parsed x-death
  const detail = await getDeadLetter(a.id, prisma);
  expect(JSON.parse(detail.body.data.text()).data.studentId).toBe(7);
  expect(detail.deaths[0]).toMatchObject({ queue: consumerQueue, reason: 'rejected', count: 1, routingKeys: ['course.enrolled'] });
  expect(detail.headers['x-exception-message']).toBe(a.errorMessage);
  expect(detail.history[0]).toMatchObject({ action: 'dead-lettered' });
  // and the search finds it by a word of its error message and an id in its body
  // (once the indexer, kicked by the drain's commit, has built its document)
  const q = deadLetterListQuerySchema.parse({ q: `${JSON.parse(detail.body.data.text()).eventId}` });
  const found = await waitFor(
    async () => (await listDeadLetters(q, FULL_TEXT_SEARCH, prisma)).items.length > 0 && listDeadLetters(q, FULL_TEXT_SEARCH, prisma),
    10_000,
    'search document',
  );
  expect(found.items.map((d) => d.id)).toEqual([a.id]);
});
