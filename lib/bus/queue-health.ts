// Depth and consumer count of queues, over AMQP (the management plugin may be absent): a passive
// checkQueue per queue. A 404 closes the channel it was asked on, so a check that fails moves
// on to a fresh channel. Results are cached for a few seconds: pages poll, the broker should not
// feel it.
import type { Channel, ChannelModel } from 'amqplib';
import { closeWithin, withTimeout } from './within';

/** Longest wait for one answer of the broker (a slow queue process answers late, not never). */
const CHECK_TIMEOUT_MS = 10_000;

export interface QueueHealth {
  name: string;
  exists: boolean;
  messages: number;
  consumers: number;
  /** messages waiting and nobody consuming: the backlog will only grow */
  noConsumers: boolean;
}

export function assessQueue(name: string, check: { messageCount: number; consumerCount: number } | null): QueueHealth {
  if (!check) return { name, exists: false, messages: 0, consumers: 0, noConsumers: false };
  return {
    name,
    exists: true,
    messages: check.messageCount,
    consumers: check.consumerCount,
    noConsumers: check.messageCount > 0 && check.consumerCount === 0,
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 404 || /NOT_FOUND/.test(e?.message ?? '');
}

/** Checks each queue passively; a missing queue is reported, not thrown. */
export async function checkQueues(connection: ChannelModel, names: string[]): Promise<QueueHealth[]> {
  const out: QueueHealth[] = [];
  let channel: Channel | null = null;
  try {
    for (const name of names) {
      channel ??= await withTimeout(openQuietChannel(connection), CHECK_TIMEOUT_MS, 'opening a channel');
      try {
        out.push(assessQueue(name, await withTimeout(channel.checkQueue(name), CHECK_TIMEOUT_MS, `checking queue ${name}`)));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        out.push(assessQueue(name, null));
        channel = null; // closed by the broker
      }
    }
  } finally {
    if (channel) await closeWithin(channel);
  }
  return out;
}

async function openQuietChannel(connection: ChannelModel): Promise<Channel> {
  const channel = await connection.createChannel();
  channel.on('error', () => {}); // the 404 of a passive check arrives here too; handled above
  return channel;
}

/** Caches checkQueues() per list of names for ttlMs; concurrent callers share one check. */
export class QueueHealthCache {
  private entry: { key: string; at: number; value: Promise<QueueHealth[]> } | null = null;

  constructor(private readonly ttlMs = 3000) {}

  get(connection: ChannelModel, names: string[], now = Date.now()): Promise<QueueHealth[]> {
    const key = names.join('\n');
    if (this.entry && this.entry.key === key && now - this.entry.at < this.ttlMs) return this.entry.value;
    const value = checkQueues(connection, names);
    this.entry = { key, at: now, value };
    value.catch(() => {
      if (this.entry?.value === value) this.entry = null;
    });
    return value;
  }
}
