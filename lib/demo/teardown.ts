// `npm run demo -- --teardown`: removes what the demo declares (lib/platform/topology.ts): each
// service's queue and retry queues, the events exchange and its dead-letter exchange, and the
// DLQ when it is empty. A DLQ still holding dead letters is kept and reported: they are what
// EventDesk has not drained yet, and deleting it would lose them; so is one a consumer (EventDesk's
// drain) still reads.
// The service queues have the platform's own names (interface.md), so a teardown pointed at a
// real platform's broker would delete its queues, messages and all. The demo marks what it
// declared with an empty queue (demoMarkerQueue), and the teardown deletes nothing without it,
// unless forced.
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { ignoreClosing } from '@/lib/bus/ignore-closing';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { deadLetterExchangeName, retryQueueNames } from '@/lib/platform/topology';

export interface TeardownOptions {
  amqpUrl: string;
  exchange: string;
  dlq: string;
  servicePrefix: string;
  retryDelaysMs: readonly number[];
  /** tear down even without the demo's marker (a topology the demo declared before there was one) */
  force?: boolean;
}

/** The queue that says the demo declared the topology of `exchange` (it holds no message: x-max-length 0). */
export const demoMarkerQueue = (exchange: string) => `eventdesk.demo-marker.${exchange}`;

/** Marks the topology of `exchange` as the demo's (run-demo.ts, after declaring it). */
export async function declareDemoMarker(channel: Channel, exchange: string): Promise<void> {
  await channel.assertQueue(demoMarkerQueue(exchange), { durable: true, arguments: { 'x-max-length': 0 } });
}

/** The teardown found no marker: the topology may be a real platform's, and nothing was deleted. */
export class DemoTeardownRefused extends Error {
  constructor(exchange: string) {
    super(
      `${exchange} was not declared by \`npm run demo\` (no queue ${demoMarkerQueue(exchange)}): nothing deleted. ` +
        `Its service queues may be a real platform's, with their messages. If you are sure it is the demo's, run the teardown with --force`,
    );
    this.name = 'DemoTeardownRefused';
  }
}

/** Whether a queue exists (a passive check on a channel of its own: a missing queue closes it). */
export async function queueExists(connection: ChannelModel, queue: string): Promise<boolean> {
  const ch = await connection.createChannel();
  ch.on('error', () => {});
  const found = await ch.checkQueue(queue).then(
    () => true,
    () => false,
  );
  await ch.close().catch(ignoreClosing);
  return found;
}

export interface TeardownReport {
  deletedQueues: string[];
  deletedExchanges: string[];
  /** the DLQ when it still held messages or had a consumer */
  keptDlq: { name: string; messages: number; consumers: number } | null;
}

/**
 * The broker checks both again as it deletes a classic queue. A quorum queue (RabbitMQ 3.10)
 * refuses if-empty / if-unused with NOT_IMPLEMENTED, which closes the whole connection: so the
 * flagged delete goes on a connection of its own, and when it fails the queue is checked again
 * and deleted plainly if still empty and unread (the service queues, its only sources, are gone).
 */
async function deleteIfEmptyAndUnused(url: string, connection: ChannelModel, queue: string): Promise<boolean> {
  const own = await amqp.connect(url, { clientProperties: { connection_name: 'eventdesk-demo-teardown-dlq' } });
  own.on('error', () => {});
  try {
    await (await own.createChannel()).deleteQueue(queue, { ifEmpty: true, ifUnused: true });
    return true;
  } catch {
    /* refused (not empty, read) or not supported (quorum): checked again below */
  } finally {
    await own.close().catch(ignoreClosing); // already closed by a NOT_IMPLEMENTED refusal
  }
  const ch = await connection.createChannel();
  ch.on('error', () => {});
  const again = await ch.checkQueue(queue).catch(() => null);
  if (!again || again.messageCount !== 0 || again.consumerCount !== 0) return false;
  return ch.deleteQueue(queue).then(
    () => true,
    () => false,
  );
}

export async function teardownDemo(o: TeardownOptions): Promise<TeardownReport> {
  const connection = await amqp.connect(o.amqpUrl, { clientProperties: { connection_name: 'eventdesk-demo-teardown' } });
  try {
    const marker = demoMarkerQueue(o.exchange);
    if (!o.force && !(await queueExists(connection, marker))) throw new DemoTeardownRefused(o.exchange);
    const ch = await connection.createChannel();
    const report: TeardownReport = { deletedQueues: [], deletedExchanges: [], keptDlq: null };
    for (const s of PLATFORM_CONSUMERS) {
      const service = o.servicePrefix + s.name;
      for (const q of [service, ...retryQueueNames(service, o.retryDelaysMs)]) {
        // deleting a queue that is not there is not an error in RabbitMQ
        await ch.deleteQueue(q);
        report.deletedQueues.push(q);
      }
    }
    const dlq = await ch.checkQueue(o.dlq).catch(() => null);
    if (dlq) {
      const kept = { name: o.dlq, messages: dlq.messageCount, consumers: dlq.consumerCount };
      const deleted = kept.messages === 0 && kept.consumers === 0 && (await deleteIfEmptyAndUnused(o.amqpUrl, connection, o.dlq));
      if (deleted) report.deletedQueues.push(o.dlq);
      else report.keptDlq = kept;
    }
    // the DLQ check above closed `ch` when the queue was missing
    const exchanges = await connection.createChannel();
    for (const x of [deadLetterExchangeName(o.exchange), o.exchange]) {
      await exchanges.deleteExchange(x);
      report.deletedExchanges.push(x);
    }
    // last, and only once nothing is left: a teardown cut short, or one that kept the DLQ for its
    // dead letters, can be run again
    if (!report.keptDlq) await exchanges.deleteQueue(marker);
    return report;
  } finally {
    await connection.close();
  }
}
