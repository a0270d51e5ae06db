// Starts the background services of one EventDesk process (web server or `npm run worker`) and
// stops them gracefully on SIGTERM/SIGINT. Each service is one entry in `services` below: to add
// one (tap, jobs, search indexer), push `{ name, stop }` after starting it.
import { publishDrainStatus } from '@/lib/bus/drain-status';
import { startSearchIndexer } from '@/lib/bus/search-indexer';
import { startTap, stopTap } from '@/lib/bus/tap-start';
import { env } from '@/lib/env';
import { startRepublishServicesFromEnv } from '@/lib/jobs/start-republish-services';
import { logger } from '@/lib/log';
import { startDrain } from './start-drain';

export interface BackgroundService {
  name: string;
  stop(): Promise<void>;
}

const holder = globalThis as unknown as { __eventdeskBackground?: BackgroundService[] };

export function startBackground(): BackgroundService[] {
  // Next may load this module twice: start the services once per process.
  if (holder.__eventdeskBackground) return holder.__eventdeskBackground;
  const settings = env();
  const services: BackgroundService[] = (holder.__eventdeskBackground = []);

  // Full-text search documents for what the drain stored (here or in a worker). Always on: with
  // nothing queued it costs one small query a second.
  const indexer = startSearchIndexer(settings.DATABASE_URL, logger.child({ component: 'search-indexer' }));
  services.push({ name: 'search-indexer', stop: () => indexer.stop() });

  if (settings.DRAIN) {
    // one drainer per DLQ of DLQ_QUEUE, and retention (lib/runtime/start-drain.ts)
    services.push(...startDrain(settings, logger, () => indexer.kick()).services);
  }

  if (settings.TAP) {
    startTap(settings);
    services.push({ name: 'tap', stop: stopTap });
  }

  // republish outbox recovery + bulk jobs (always on: they only act on work operators asked for)
  const republish = startRepublishServicesFromEnv();
  services.push({ name: 'republish', stop: () => republish.stop() });

  logger.info({ services: services.map((s) => s.name), drain: settings.DRAIN, dlqs: settings.DLQ_QUEUE, tap: settings.TAP }, 'background services started');
  handleSignals(services);
  return services;
}

/** The graceful stop's deadline; past it (or HARD_EXIT_MS after the signal) the process exits anyway. */
export const GRACEFUL_STOP_MS = 12_000;
export const HARD_EXIT_MS = 13_500;
/** one service's share at most, so one that hangs leaves time for the others */
const SERVICE_STOP_MS = 5000;

export async function stopBackground(services = holder.__eventdeskBackground ?? [], deadlineMs = GRACEFUL_STOP_MS): Promise<void> {
  const until = Date.now() + deadlineMs;
  // Reverse order of start: later services may depend on earlier ones.
  for (const s of [...services].reverse()) {
    const budget = Math.max(0, Math.min(SERVICE_STOP_MS, until - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        s.stop().then(() => 'stopped' as const),
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), budget))),
      ]);
      if (result === 'timeout') logger.error({ service: s.name, ms: budget }, 'service did not stop in time; going on without it');
    } catch (err) {
      logger.error({ service: s.name, err: (err as Error).message }, 'service did not stop cleanly');
    } finally {
      clearTimeout(timer);
    }
  }
  publishDrainStatus(null);
  holder.__eventdeskBackground = undefined;
}

/**
 * SIGTERM/SIGINT: finish the batch in flight (commit, ack), close, then let whoever else listens
 * (Next's own handler, which exits at once) run. Next registers its handler before
 * instrumentation runs, so ours takes those listeners over and calls them after stopping.
 * Bounded: services get GRACEFUL_STOP_MS together, and the process exits at HARD_EXIT_MS
 * whatever still waits (a hung database or broker call), well within a 15 s grace period.
 */
function handleSignals(services: BackgroundService[]): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const others = process.listeners(signal);
    process.removeAllListeners(signal);
    let stopping = false;
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping background services');
      setTimeout(() => {
        logger.error({ signal, ms: HARD_EXIT_MS }, 'graceful stop overran; exiting now');
        process.exit(1);
      }, HARD_EXIT_MS).unref();
      void stopBackground(services).finally(() => {
        if (others.length) for (const l of others) l(signal);
        else process.exit(0);
      });
    });
  }
}
