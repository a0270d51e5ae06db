// The drain's passive DLQ check (lib/bus/dlq-topology.ts) always ends: a channel whose close or
// whose answer never comes (amqplib left a close unsettled when the connection was killed
// mid-handshake) no longer holds the drain's one-at-a-time depth check for good.
import type { ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { checkDlq, DlqMissingError } from '@/lib/bus/dlq-topology';

const never = () => new Promise<never>(() => {});

/** A connection whose channel answers as told, the rest never. */
function connection(channel: { checkQueue?: () => Promise<unknown>; close?: () => Promise<void> }, create?: () => Promise<unknown>): ChannelModel {
  const ch = { on: () => ch, checkQueue: channel.checkQueue ?? never, close: channel.close ?? never };
  return { createChannel: create ?? (() => Promise.resolve(ch)) } as unknown as ChannelModel;
}

describe('checkDlq', () => {
  it('answers even when the channel close never settles', async () => {
    const c = connection({ checkQueue: () => Promise.resolve({ messageCount: 7, consumerCount: 1 }) });
    await expect(checkDlq(c, 'q', 50)).resolves.toEqual({ messageCount: 7, consumerCount: 1 });
  });

  it('fails, naming the wait, when the check, or the channel, never comes', async () => {
    await expect(checkDlq(connection({ close: () => Promise.resolve() }), 'q', 50)).rejects.toThrow('checking q: no answer within 50 ms');
    await expect(checkDlq(connection({}, never), 'q', 50)).rejects.toThrow('opening a channel to check q: no answer within 50 ms');
  });

  it('still tells a missing DLQ apart', async () => {
    const c = connection({ checkQueue: () => Promise.reject(new Error('Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue"')) });
    await expect(checkDlq(c, 'q', 50)).rejects.toBeInstanceOf(DlqMissingError);
  });
});
