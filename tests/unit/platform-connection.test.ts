// lib/platform's own reconnecting connection, without a broker: backoff bounds, a wait that
// gives up with the reason, and a close that ends the retry loop.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isReconnecting, ReconnectingConnection, reconnectDelay } from '@/lib/platform/connection';

const silent = pino({ level: 'silent' });

describe('lib/platform ReconnectingConnection', () => {
  it('backs off between half and the whole of a doubling ceiling, capped', () => {
    expect(reconnectDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(reconnectDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(reconnectDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(reconnectDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(reconnectDelay(20, 500, 30_000, () => 0)).toBe(15_000);
  });

  it('keeps retrying an unreachable broker, a wait gives up with the reason, and close ends it', async () => {
    // port 1: connection refused at once
    const rc = new ReconnectingConnection({
      url: 'amqp://127.0.0.1:1',
      name: 'unit',
      logger: silent,
      minDelayMs: 10,
      maxDelayMs: 20,
      connectTimeoutMs: 1000,
    }).start();
    let failures = 0;
    rc.on('disconnected', () => failures++);
    await expect(rc.waitConnected(300)).rejects.toThrow(/within 300 ms/);
    expect(failures).toBeGreaterThan(1);
    expect(rc.lastError).toMatch(/ECONNREFUSED/);
    expect(rc.listenerCount('connected')).toBe(0);
    const closing = Date.now();
    await rc.close();
    expect(Date.now() - closing).toBeLessThan(500);
    const after = failures;
    await new Promise((r) => setTimeout(r, 100));
    expect(failures).toBe(after);
  });

  it('tells a reconnecting connection from an amqplib one by its shape', () => {
    expect(isReconnecting(new ReconnectingConnection({ url: 'amqp://127.0.0.1:1', name: 'shape' }))).toBe(true);
    expect(isReconnecting({ createChannel() {}, close() {} } as never)).toBe(false);
  });
});
