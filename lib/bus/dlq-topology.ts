// The DLQ belongs to the platform: EventDesk checks it passively and only declares it (and the
// events exchange) when DECLARE_TOPOLOGY=true. Declaring an existing queue with other arguments
// fails with PRECONDITION_FAILED, so never assert it otherwise.
import type { ChannelModel } from 'amqplib';
import { ignoreClosing } from './ignore-closing';

export const DLQ_TTL_MS = 604_800_000;

export class DlqMissingError extends Error {
  constructor(queue: string) {
    super(`DLQ not found: is DECLARE_TOPOLOGY needed? (queue "${queue}")`);
    this.name = 'DlqMissingError';
  }
}

export interface QueueInfo {
  messageCount: number;
  consumerCount: number;
}

export async function declareTopology(connection: ChannelModel, exchange: string, queue: string): Promise<void> {
  const ch = await connection.createChannel();
  try {
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-message-ttl': DLQ_TTL_MS } });
  } finally {
    await ch.close().catch(ignoreClosing);
  }
}

/** Passive check on a throwaway channel (a 404 closes the channel it happens on). */
export async function checkDlq(connection: ChannelModel, queue: string): Promise<QueueInfo> {
  const ch = await connection.createChannel();
  ch.on('error', () => {});
  try {
    const info = await ch.checkQueue(queue);
    return { messageCount: info.messageCount, consumerCount: info.consumerCount };
  } catch (err) {
    if (/NOT_FOUND|404/.test((err as Error).message)) throw new DlqMissingError(queue);
    throw err;
  } finally {
    await ch.close().catch(ignoreClosing);
  }
}
