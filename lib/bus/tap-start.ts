// Starts this process's tap from the settings (called by lib/runtime/background.ts when TAP is
// on) and keeps it on globalThis so /api/metrics and the pages read the same instance.
import type { Env } from '@/lib/env';
import { logger } from '@/lib/log';
import { readTapWith } from '@/lib/metrics/registry';
import { Tap } from './tap';

const holder = globalThis as unknown as { __eventdeskTap?: Tap };

export function runningTap(): Tap | null {
  return holder.__eventdeskTap ?? null;
}

export function startTap(settings: Pick<Env, 'AMQP_URL' | 'EVENTS_EXCHANGE' | 'DATABASE_URL' | 'DECLARE_TOPOLOGY'>): Tap {
  if (holder.__eventdeskTap) return holder.__eventdeskTap;
  const tap = new Tap({
    amqpUrl: settings.AMQP_URL,
    exchange: settings.EVENTS_EXCHANGE,
    databaseUrl: settings.DATABASE_URL,
    declareExchange: settings.DECLARE_TOPOLOGY,
  });
  holder.__eventdeskTap = tap;
  readTapWith(() => {
    const running = runningTap();
    if (!running) return null;
    const status = running.status();
    return { totals: running.totals, running: status.state === 'running', pendingFlush: status.pendingFlush };
  });
  tap.start().catch((err) => logger.error({ err }, 'tap failed to start'));
  return tap;
}

/** For a graceful shutdown: flushes the last counts (at most one flush interval otherwise lost). */
export async function stopTap(): Promise<void> {
  const tap = holder.__eventdeskTap;
  holder.__eventdeskTap = undefined;
  await tap?.stop();
}
