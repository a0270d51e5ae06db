// Issue 17, the retry's outcome: a dead letter republished to a consumer that still fails comes
// back through the real drain, which marks the record failedAgainAfterRetry in the statement that
// stores its new death; the list's failedAgain filter, the facets (which apply it), the bulk selection and the
// group's failedAgainCount read that mark. A record never republished that dies again (a
// redelivery by the platform) is not marked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { until } from '../helpers/until';
import { failingConsumer, type FailingConsumer } from './failing-consumer';

const operator = { name: 'olivia@example.com', role: 'operator' as const, kind: 'user' as const };

type Record = { id: string; status: string; attempts: number; republish_count: number; failed_again_after_retry: boolean; group_id: string; event_id: string };

describe('failed again after retry', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let consumer: FailingConsumer;

  beforeAll(async () => {
    db = await createTestDatabase('retry_outcome');
    broker = await createTestBroker();
    const ledger = uniqueName('outcome.ledger');
    broker.track('queue', ledger);
    Object.assign(process.env, { DATABASE_URL: db.url, AMQP_URL: broker.url, REPUBLISH_LEDGER_QUEUE: ledger, LOG_LEVEL: 'silent' });
    (globalThis as { __eventdeskEnv?: unknown }).__eventdeskEnv = undefined;
    consumer = await failingConsumer(broker, db.url, 'outcome');
  });

  afterAll(async () => {
    await consumer?.stop();
    const { getRepublishRuntime } = await import('@/lib/actions/runtime');
    await getRepublishRuntime().close();
    const { prisma } = await import('@/lib/server/db');
    await prisma.$disconnect();
    await broker?.cleanup();
    await db?.drop();
  });

  const records = async () =>
    (
      await db.pool.query<Record>(
        `SELECT "id"::text AS id, "status", "attempts", "republish_count", "failed_again_after_retry", "group_id", "event_id" FROM "dead_letters" ORDER BY "event_id"`,
      )
    ).rows;

  it('marks a republished record that dies again, and only that one; the filter, facets, selection and group count read it', async () => {
    const eventIds = await consumer.publish(2);
    const drained = await until('both first deaths drained', records, (rs) => rs.length === 2);
    expect(drained.map((r) => [r.attempts, r.failed_again_after_retry])).toEqual([
      [1, false],
      [1, false],
    ]);
    const [retried, other] = [drained.find((r) => r.event_id === eventIds[0])!, drained.find((r) => r.event_id === eventIds[1])!];
    expect(retried.group_id).toBe(other.group_id);

    const { republishDeadLetter } = await import('@/lib/actions/republish-dead-letter');
    await republishDeadLetter(operator, { id: retried.id, reason: 'consumer fixed?' });
    const back = await until(
      'the replay back through the drain',
      async () => (await records()).find((r) => r.id === retried.id)!,
      (r) => r.attempts === 2,
    );
    expect(back).toMatchObject({ status: 'pending', republish_count: 1, failed_again_after_retry: true });
    const { rows: history } = await db.pool.query(`SELECT "action" FROM "dead_letter_history" WHERE "dead_letter_id" = $1 ORDER BY "id"`, [retried.id]);
    expect(history.map((h) => h.action)).toEqual(['dead-lettered', 'republished', 'failed-again']);

    // the other record dies again without a republish (the platform published the same event
    // again): a new death, not a failed retry
    const pub = await broker.connection.createConfirmChannel();
    const { userCreated } = await import('./republish-fixtures');
    pub.sendToQueue(consumer.queue, Buffer.from(JSON.stringify(userCreated(eventIds[1]))), { messageId: eventIds[1], contentType: 'application/json' });
    await pub.waitForConfirms();
    await pub.close();
    const otherBack = await until(
      'the other record back',
      async () => (await records()).find((r) => r.id === other.id)!,
      (r) => r.attempts === 2,
    );
    expect(otherBack.failed_again_after_retry).toBe(false);

    const { listDeadLetters } = await import('@/lib/server/dead-letters/list-dead-letters');
    const { countFacets } = await import('@/lib/server/dead-letters/count-facets');
    const { FULL_TEXT_SEARCH } = await import('@/lib/server/dead-letters/dead-letter-where');
    const { listGroups } = await import('@/lib/server/groups/list-groups');
    const { getDeadLetter } = await import('@/lib/server/dead-letters/get-dead-letter');
    const { deadLetterListQuerySchema, deadLetterFilterSchema } = await import('@/lib/schemas/dead-letters');
    const { groupListQuerySchema } = await import('@/lib/schemas/groups');

    const all = await listDeadLetters(deadLetterListQuerySchema.parse({}), FULL_TEXT_SEARCH);
    expect(Object.fromEntries(all.items.map((d) => [d.id, d.failedAgainAfterRetry]))).toEqual({ [retried.id]: true, [other.id]: false });
    const filtered = await listDeadLetters(deadLetterListQuerySchema.parse({ failedAgain: 'true' }), FULL_TEXT_SEARCH);
    expect(filtered.items.map((d) => d.id)).toEqual([retried.id]);
    // with status (the status join) and with a group (its own index) too
    expect(
      (await listDeadLetters(deadLetterListQuerySchema.parse({ failedAgain: 'true', status: 'pending' }), FULL_TEXT_SEARCH)).items.map((d) => d.id),
    ).toEqual([retried.id]);
    expect(
      (await listDeadLetters(deadLetterListQuerySchema.parse({ failedAgain: 'true', groupId: retried.group_id }), FULL_TEXT_SEARCH)).items.map((d) => d.id),
    ).toEqual([retried.id]);
    expect(deadLetterListQuerySchema.safeParse({ failedAgain: 'yes' }).success).toBe(false);

    expect((await getDeadLetter(retried.id)).failedAgainAfterRetry).toBe(true);
    // the facets count with the list's own WHERE: under failedAgain, only the marked record
    const facets = await countFacets(deadLetterFilterSchema.parse({ failedAgain: 'true' }), FULL_TEXT_SEARCH);
    expect(facets.ignoredFilters).toEqual([]);
    expect(facets.facets.status.reduce((n, v) => n + v.count, 0)).toBe(1);

    const groups = await listGroups(groupListQuerySchema.parse({}));
    // the other record's second death carries no error header: it moved to a group of its own
    const failedAgainOf = Object.fromEntries(groups.items.map((g) => [g.id, g.failedAgainCount]));
    expect(failedAgainOf[retried.group_id]).toBe(1);
    expect(Object.values(failedAgainOf).reduce((s, n) => s + n, 0)).toBe(1);

    // a bulk selection by the filter takes only the marked record
    const { createBulkJob } = await import('@/lib/actions/create-bulk-job');
    const dry = await createBulkJob(operator, { action: 'discard', selection: { filter: { failedAgain: 'true' } }, reason: 'check', dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, count: 1 });
  });
});
