// sleep() must not leave an abort listener behind on its signal (one leaked per reconnect before).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '@/lib/backoff';

describe('backoff sleep', () => {
  it('leaves no abort listener on the signal after many sleeps that ran to the end', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 200; i++) await sleep(0, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('has exactly one listener while sleeping, and an abort ends the sleep', async () => {
    const controller = new AbortController();
    let done = false;
    const p = sleep(60_000, controller.signal).then(() => (done = true));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await p;
    expect(done).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('returns at once on an aborted signal without adding a listener', async () => {
    const controller = new AbortController();
    controller.abort();
    await sleep(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
