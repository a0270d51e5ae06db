// One publish on a confirm channel that resolves when the broker confirms it (and honours the
// channel's write buffer, so a fast producer cannot grow memory without bound). Bounded: a broker
// under a memory or disk alarm stops reading a publishing connection without closing it, and
// neither the drain nor the confirm would come; after timeoutMs the publish fails (the caller
// retries it or nacks its delivery) instead of holding its caller for the alarm's length.
import { once } from 'node:events';
import type { ConfirmChannel, Options } from 'amqplib';

/**
 * A message amqplib cannot encode (headers past its 64 KB table buffer, a routing key over 255
 * characters, a value of a type it cannot write back): publishing it again will never work.
 */
export class UnpublishableMessage extends Error {
  constructor(reason: string) {
    super(`the message cannot be published: ${reason}`);
    this.name = 'UnpublishableMessage';
  }
}

/** Longest wait for the broker to read and confirm one publish. */
export const CONFIRM_TIMEOUT_MS = 15_000;

export async function confirmPublish(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  timeoutMs = CONFIRM_TIMEOUT_MS,
): Promise<void> {
  let ok = true;
  const confirmed = new Promise<void>((resolve, reject) => {
    try {
      ok = channel.publish(exchange, routingKey, content, options, (err) =>
        err ? reject(new Error(`broker did not confirm the publish to "${exchange}" (${routingKey})`)) : resolve(),
      );
    } catch (err) {
      // a closed channel is a moment's trouble; anything else thrown here is the message's encoding
      const e = err as Error;
      reject(e?.name === 'IllegalOperationError' ? e : new UnpublishableMessage(e instanceof Error ? e.message : String(e)));
    }
  });
  const ignore = () => {
    /* the rejection is rethrown by the await below */
  };
  confirmed.catch(ignore);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`broker did not confirm the publish to "${exchange}" (${routingKey}) within ${timeoutMs} ms`)), timeoutMs);
  });
  timedOut.catch(ignore);
  try {
    // A closed channel never drains, but it does fail the pending confirm: wait for either.
    if (!ok) await Promise.race([once(channel, 'drain'), confirmed.catch(ignore), timedOut]);
    await Promise.race([confirmed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
