// The republish ledger's declaration: a new ledger gets LEDGER_ARGUMENTS (lazy, classic queue
// version 2: its copies go to disk, not memory), and a ledger an earlier version declared without
// them keeps working as it is, for publishing and for recovery (a second declare with other
// arguments would be refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { LEDGER_ARGUMENTS } from '@/lib/bus/republish-publisher';
import { INTENT_ID_HEADER } from '@/lib/bus/republish-message';
import { recoverRepublishIntents } from '@/lib/jobs/recover-republish-intents';
import type { RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { createTestBroker, uniqueName, type TestBroker } from '../helpers/amqp';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { recordState, seedDeadLetters, testRuntime } from './republish-fixtures';

const operator = { name: 'olivia@example.com', role: 'operator' as const };

describe('republish ledger', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  const runtimes: RepublishRuntime[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('republish_ledger');
    broker = await createTestBroker();
  });

  afterAll(async () => {
    for (const rt of runtimes) await rt.close();
    await broker?.cleanup();
    await db?.drop();
  });

  async function republishThrough(ledger: string) {
    const rt = testRuntime(db.url, broker.url, ledger);
    runtimes.push(rt);
    const queue = await broker.queue(uniqueName('republish.ledgered'));
    const { ids } = await seedDeadLetters(db.pool, { queue });
    await republishOne(rt, { deadLetterId: ids[0], actor: operator, reason: 'consumer fixed' });
    expect((await broker.channel.checkQueue(queue)).messageCount).toBe(1);
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(1);
    expect(await recordState(db.pool, ids[0])).toMatchObject({ status: 'republished', republish_count: 1 });
    // recovery reads the ledger and drops the copy of the settled intent
    expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0, ledgerAcked: 1, ledgerComplete: true });
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(0);
  }

  it('declares a new ledger with the ledger arguments', async () => {
    const ledger = uniqueName('republish.ledger');
    broker.track('queue', ledger);
    await republishThrough(ledger);
    // an equivalent declare is accepted, one with other arguments would close the channel
    const ch = await broker.connection.createChannel();
    await expect(ch.assertQueue(ledger, { durable: true, arguments: LEDGER_ARGUMENTS })).resolves.toMatchObject({ queue: ledger });
    await ch.close();
  });

  it('a copy in the ledger that names no intent (36 dashes, none, a number) is dropped, and recovery completes', async () => {
    const ledger = uniqueName('republish.ledger.foreign');
    broker.track('queue', ledger);
    await republishThrough(ledger);
    // put there by hand or by a foreign publisher: '-'.repeat(36) passed the old check and failed
    // the uuid cast of every pass, so recovery never completed
    for (const id of ['-'.repeat(36), undefined, 42, 'not-an-intent']) {
      broker.channel.sendToQueue(ledger, Buffer.from('foreign'), { headers: id === undefined ? {} : { [INTENT_ID_HEADER]: id } });
    }
    await broker.channel.checkQueue(ledger); // the publishes above are in before the check
    const rt = runtimes[runtimes.length - 1];
    expect(await recoverRepublishIntents(rt)).toMatchObject({ stale: 0, ledgerAcked: 4, ledgerComplete: true });
    expect((await broker.channel.checkQueue(ledger)).messageCount).toBe(0);
  });

  it('keeps using a ledger declared without them', async () => {
    const ledger = await broker.queue(uniqueName('republish.ledger.old'));
    await republishThrough(ledger);
  });
});
