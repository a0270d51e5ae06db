// Starts the background services of one EventDesk process (web server or `npm run worker`) and
// stops them gracefully on SIGTERM/SIGINT. Each service is one entry in `services` below: to add
// one (tap, jobs, search indexer), push `{ name, stop }` after starting it.
// Several processes may run on one database (issue 19): each registers in eventdesk_processes
// (process-registry.ts), and what must run once per cluster (the retention purge, republish-intent
// recovery) is a duty held by one process at a time (cluster-duty.ts). The drain (one drainer per
// DLQ of DLQ_QUEUE), the tap, the search indexer and the bulk runner run in every process: they
// share their work safely already (manual acks and fingerprints, SKIP LOCKED chunks, job leases).
import { publishDrainStatus } from '@/lib/bus/drain-status';
import { purgeExpired } from '@/lib/bus/retention';
import { startSearchIndexer } from '@/lib/bus/search-indexer';
import { startTap, stopTap } from '@/lib/bus/tap-start';
import { env } from '@/lib/env';
import { startRepublishServicesFromEnv } from '@/lib/jobs/start-republish-services';
import { logger } from '@/lib/log';
import { startClusterDuty, type ClusterDutyOptions } from './cluster-duty';
import { startProcessRegistry, type ProcessRole } from './process-registry';
import { startNotifications } from './start-notifications';
import { startDrain } from './start-drain';

export interface BackgroundService {
  name: string;
  stop(): Promise<void>;
}

const holder = globalThis as unknown as { __eventdeskBackground?: BackgroundService[] };

/** how often the holder of a duty runs it */
const RETENTION_EVERY_MS = 10 * 60_000;
const RECOVERY_EVERY_MS = 30_000;
const NOTIFY_CONDITIONS_EVERY_MS = 10_000;

export function startBackground(role: ProcessRole = 'web'): BackgroundService[] {
  // Next may load this module twice: start the services once per process.
  if (holder.__eventdeskBackground) return holder.__eventdeskBackground;
  const settings = env();
  const services: BackgroundService[] = (holder.__eventdeskBackground = []);

  // First in, last out: the row goes only after every service (and duty) has stopped.
  const registry = startProcessRegistry(settings.DATABASE_URL, role, logger.child({ component: 'process-registry' }));
  services.push({ name: 'registry', stop: () => registry.stop() });
  const held = new Set<string>();
  const duty = (o: Omit<ClusterDutyOptions, 'databaseUrl' | 'onChange' | 'logger'>) => {
    const d = startClusterDuty({
      ...o,
      databaseUrl: settings.DATABASE_URL,
      logger: logger.child({ component: 'cluster-duty' }),
      onChange: (isHeld) => {
        if (isHeld) held.add(o.name);
        else held.delete(o.name);
        registry.setDuties([...held]);
      },
    });
    services.push({ name: `duty:${o.name}`, stop: () => d.stop() });
  };

  // Full-text search documents for what the drain stored (here or in a worker). Always on: with
  // nothing queued it costs one small query a second.
  const indexer = startSearchIndexer(settings.DATABASE_URL, logger.child({ component: 'search-indexer' }), settings.MASK_FIELDS);
  services.push({ name: 'search-indexer', stop: () => indexer.stop() });

  if (settings.DRAIN) {
    // one drainer per DLQ of DLQ_QUEUE on one small pool (lib/runtime/start-drain.ts)
    const drain = startDrain(settings, logger, () => indexer.kick());
    services.push(...drain.services);
    // Once per cluster: two purges at once would only contend for the same rows (SKIP LOCKED
    // keeps them apart, but each would still scan), and one process's pass is enough.
    const retentionLog = logger.child({ component: 'retention' });
    duty({
      name: 'retention',
      everyMs: RETENTION_EVERY_MS,
      work: async (signal) => {
        const n = await purgeExpired(drain.pool, { retentionDays: settings.RETENTION_DAYS, signal });
        if (n) retentionLog.info({ purged: n, retentionDays: settings.RETENTION_DAYS }, 'purged expired dead letters');
      },
    });
  }

  if (settings.TAP) {
    startTap(settings);
    services.push({ name: 'tap', stop: stopTap });
  }

  // republish outbox recovery + bulk jobs (always on: they only act on work operators asked for)
  const republish = startRepublishServicesFromEnv({ externalRecovery: true });
  services.push({ name: 'republish', stop: () => republish.stop() });
  registry.setOwnerId(republish.ownerId);
  // Two passes could not settle one intent twice already (a settle updates only pending intents,
  // under the record's row lock); as a duty, one process reads the ledger, not all of them.
  duty({ name: 'republish-recovery', everyMs: RECOVERY_EVERY_MS, work: () => republish.recover() });

  // Notifications (issue 16): the sender in every process (SKIP LOCKED + leases share the work);
  // the condition events (dlq.rate, drain.stopped, queue.no_consumers) judged once per cluster.
  if (settings.NOTIFY) {
    const notifications = startNotifications(settings, logger);
    services.push(...notifications.services);
    duty({ name: 'notify-conditions', everyMs: NOTIFY_CONDITIONS_EVERY_MS, work: () => notifications.evaluate() });
  }

  logger.info(
    { services: services.map((s) => s.name), drain: settings.DRAIN, dlqs: settings.DLQ_QUEUE, tap: settings.TAP, process: registry.id, role },
    'background services started',
  );
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
