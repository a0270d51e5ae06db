// confirmPublish's deadline (lib/platform/confirm-publish.ts): a broker that never confirms (an
// alarm blocks the connection without closing it) fails the publish after its timeout instead of
// holding the caller. The channel is a stand-in that answers as told; the real broker's confirms
// are in tests/integration/platform-publish.test.ts.
import { EventEmitter } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { confirmPublish } from '@/lib/platform/confirm-publish';

/** A channel whose publish writes (or not) and confirms (or never does). */
function channel(o: { writable: boolean; confirm: 'ok' | 'nack' | 'never' }): ConfirmChannel {
  const ch = new EventEmitter() as EventEmitter & { publish: ConfirmChannel['publish'] };
  ch.publish = (_exchange, _key, _content, _options, cb) => {
    if (o.confirm !== 'never') setTimeout(() => cb?.(o.confirm === 'nack' ? new Error('message nacked') : null, {}), 5);
    return o.writable;
  };
  return ch as unknown as ConfirmChannel;
}

describe('confirmPublish', () => {
  it('resolves on the confirm, rejects on a nack', async () => {
    await expect(
      confirmPublish(channel({ writable: true, confirm: 'ok' }), 'edu.events', 'user.created', Buffer.from('{}'), {}, 1000),
    ).resolves.toBeUndefined();
    await expect(confirmPublish(channel({ writable: true, confirm: 'nack' }), 'edu.events', 'user.created', Buffer.from('{}'), {}, 1000)).rejects.toThrow(
      /did not confirm/,
    );
  });

  it('rejects after its timeout when the confirm never comes, written or waiting for a drain that never comes', async () => {
    for (const writable of [true, false]) {
      await expect(confirmPublish(channel({ writable, confirm: 'never' }), 'edu.events', 'user.created', Buffer.from('{}'), {}, 100)).rejects.toThrow(
        /within 100 ms/,
      );
    }
  });
});
