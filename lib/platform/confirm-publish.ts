// One publish on a confirm channel that resolves when the broker confirms it (and honours the
// channel's write buffer, so a fast producer cannot grow memory without bound).
import { once } from 'node:events';
import type { ConfirmChannel, Options } from 'amqplib';

export async function confirmPublish(channel: ConfirmChannel, exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
  let ok = true;
  const confirmed = new Promise<void>((resolve, reject) => {
    ok = channel.publish(exchange, routingKey, content, options, (err) =>
      err ? reject(new Error(`broker did not confirm the publish to "${exchange}" (${routingKey})`)) : resolve(),
    );
  });
  // A closed channel never drains, but it does fail the pending confirm: wait for either.
  if (!ok)
    await Promise.race([
      once(channel, 'drain'),
      confirmed.catch(() => {
        /* the rejection is rethrown by the await below */
      }),
    ]);
  await confirmed;
}
