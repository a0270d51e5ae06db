// The burst the drain and derivation benchmarks share: a queue filled with realistic ~1 KB dead
// letters (tests/integration/drain-fixtures.ts: mixed types, x-death as RabbitMQ sets it, 10%
// breaking their contract), and the broker's own consume ceiling over it (issue 20's (a)).
import type amqp from 'amqplib';
import type { ConsumeMessage } from 'amqplib';
import { makeDeadLetter } from '../tests/integration/drain-fixtures';

/** Acks of the ceiling's bare consumer are grouped by this many. */
export const ACK_EVERY = 100;

/** Publishes `n` dead letters into `queue` with confirms; returns the rate (msg/s). */
export async function fill(connection: amqp.ChannelModel, queue: string, n: number): Promise<number> {
  const ch = await connection.createConfirmChannel();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m = makeDeadLetter(i, { invalidShare: 0.1 });
    if (!ch.sendToQueue(queue, m.body, m.options)) await new Promise((r) => ch.once('drain', r));
    if ((i + 1) % 2000 === 0) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  await ch.close();
  return (n * 1000) / (performance.now() - t0);
}

/**
 * (a) the broker's ceiling: a bare amqplib consumer of `n` messages from `queue`, `prefetch` 2000 as
 * the drain's, acking in groups of 100. `keep` is handed each message (the derivation benchmark
 * keeps them to store); returns the rate (msg/s).
 */
export async function bareConsume(
  connection: amqp.ChannelModel,
  queue: string,
  n: number,
  prefetch: number,
  keep?: (msg: ConsumeMessage) => void,
): Promise<number> {
  const ch = await connection.createChannel();
  await ch.prefetch(prefetch);
  let count = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    void ch.consume(queue, (msg: ConsumeMessage | null) => {
      if (!msg) return;
      keep?.(msg);
      count++;
      if (count % ACK_EVERY === 0 || count === n) ch.ack(msg, true);
      if (count === n) resolve();
    });
  });
  const rate = (n * 1000) / (performance.now() - t0);
  await ch.close();
  return rate;
}
