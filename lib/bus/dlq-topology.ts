// The DLQ belongs to the platform: EventDesk checks it passively and only declares it (and the
// events exchange) when DECLARE_TOPOLOGY=true, and then only when it is missing. Declaring an
// existing queue with other arguments (another x-queue-type, TTL, ...) fails with
// PRECONDITION_FAILED, so an existing DLQ, classic or quorum, is never asserted.
import type { ChannelModel } from 'amqplib';
import { closeWithin, withTimeout } from './within';
import { isNamedError } from '@/lib/named-error';

export const DLQ_TTL_MS = 604_800_000;

export type DlqQueueType = 'classic' | 'quorum';

/** What DECLARE_TOPOLOGY declares a missing DLQ with (quorum queues take x-message-ttl since RabbitMQ 3.10). */
export function dlqQueueArguments(type: DlqQueueType = 'classic'): Record<string, unknown> {
  return type === 'quorum' ? { 'x-queue-type': 'quorum', 'x-message-ttl': DLQ_TTL_MS } : { 'x-message-ttl': DLQ_TTL_MS };
}

export class DlqMissingError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'DlqMissingError');
  }

  constructor(queue: string) {
    super(`DLQ not found: is DECLARE_TOPOLOGY needed? (queue "${queue}")`);
    this.name = 'DlqMissingError';
  }
}

export interface QueueInfo {
  messageCount: number;
  consumerCount: number;
}

export async function declareTopology(connection: ChannelModel, exchange: string, queue: string, type: DlqQueueType = 'classic'): Promise<void> {
  // an existing DLQ, whatever its type and arguments, is the platform's: left as it is
  const exists = await checkDlq(connection, queue).then(
    () => true,
    (err: unknown) => {
      if (err instanceof DlqMissingError) return false;
      throw err;
    },
  );
  const ch = await connection.createChannel();
  try {
    await ch.assertExchange(exchange, 'topic', { durable: true });
    if (!exists) await ch.assertQueue(queue, { durable: true, arguments: dlqQueueArguments(type) });
  } finally {
    await closeWithin(ch);
  }
}

/**
 * Passive check on a throwaway channel (a 404 closes the channel it happens on). Every wait is
 * bounded by `timeoutMs`: amqplib never settled a channel's close when its connection was killed
 * mid-handshake, and the drain's depth check, which runs one at a time, waited on it for good
 * (the DLQ depth in /api/health and the metrics froze for 17 minutes, found by fault probing).
 */
export async function checkDlq(connection: ChannelModel, queue: string, timeoutMs = 10_000): Promise<QueueInfo> {
  const ch = await withTimeout(connection.createChannel(), timeoutMs, `opening a channel to check ${queue}`);
  ch.on('error', () => {});
  try {
    const info = await withTimeout(ch.checkQueue(queue), timeoutMs, `checking ${queue}`);
    return { messageCount: info.messageCount, consumerCount: info.consumerCount };
  } catch (err) {
    if (/NOT_FOUND|404/.test((err as Error).message)) throw new DlqMissingError(queue);
    throw err;
  } finally {
    await closeWithin(ch, timeoutMs);
  }
}
