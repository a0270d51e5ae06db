// The republish machinery of one process (pool, publisher, owner lock), created once and kept
// on globalThis: Next loads modules more than once, and routes, the bulk runner and recovery
// must share one publisher and one owner identity.
import pg from 'pg';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { IntentOwner } from '@/lib/bus/republish-owner';
import { RepublishPublisher } from '@/lib/bus/republish-publisher';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import type { TargetContext } from '@/lib/schemas/republish-target';

/** What republishing needs: the single action (lib/actions/republish-dead-letter.ts), the bulk runner and recovery. */
export interface RepublishDeps {
  pool: pg.Pool;
  publisher: RepublishPublisher;
  owner: IntentOwner;
  maxRetries: number;
  eventsExchange: string;
  logger?: Logger;
  /** this install's own queue names the target rules refuse (DLQ, ledger) */
  targetContext?: TargetContext;
  /** test hook: called right after the broker confirmed, before the database commit */
  afterConfirm?: () => void;
}

export interface RepublishSettings {
  databaseUrl: string;
  amqpUrl: string;
  eventsExchange: string;
  maxRetries: number;
  ledgerQueue: string;
  /** the DLQs this install drains: never a republish target */
  dlqQueues?: string[];
  /** test hook (EVENTDESK_TEST_CRASH_AFTER_CONFIRM=1): exit right after a confirm, before the commit */
  crashAfterConfirm?: boolean;
}

export interface RepublishRuntime extends RepublishDeps {
  settings: RepublishSettings;
  close(): Promise<void>;
}

const cache = globalThis as unknown as { __eventdeskRepublish?: Map<string, RepublishRuntime> };

export function createRepublishRuntime(settings: RepublishSettings, logger: Logger = rootLogger): RepublishRuntime {
  // max 8: a bulk job at an unlimited rate holds up to four at once (a claim, two settles, its
  // lease and progress updates) beside single retries and recovery
  // JIT off: a bulk claim of 5,000 rows is estimated expensive enough to be compiled, which cost
  // ~17 ms a batch (~3.5 us a message, measured) for statements that run in tens of ms anyway.
  const pool = new pg.Pool({
    connectionString: settings.databaseUrl,
    max: 8,
    ...dbTimeouts(),
    application_name: 'eventdesk-republish',
    options: '-c jit=off',
  });
  guardPool(pool, (err) => logger.warn({ err: err.message }, 'republish database connection lost'));
  const publisher = new RepublishPublisher({ url: settings.amqpUrl, ledgerQueue: settings.ledgerQueue, logger }).start();
  const owner = new IntentOwner(settings.databaseUrl, logger);
  void owner.start().catch((err: Error) => logger.warn({ err: err.message }, 'republish owner loop ended')); // the loop keeps trying; callers wait with held(ms)
  return {
    settings,
    pool,
    publisher,
    owner,
    maxRetries: settings.maxRetries,
    targetContext: { dlqQueues: settings.dlqQueues ?? [], ownQueues: [settings.ledgerQueue] },
    eventsExchange: settings.eventsExchange,
    logger,
    afterConfirm: settings.crashAfterConfirm
      ? () => {
          logger.warn('EVENTDESK_TEST_CRASH_AFTER_CONFIRM: exiting between the confirm and the commit');
          process.exit(86);
        }
      : undefined,
    async close() {
      await publisher.close();
      await owner.stop();
      await pool.end().catch((err: Error) => logger.debug({ err: err.message }, 'republish pool already ended'));
    },
  };
}

/** The process's shared runtime for these settings. */
export function republishRuntime(settings: RepublishSettings): RepublishRuntime {
  const map = (cache.__eventdeskRepublish ??= new Map());
  const key = `${settings.databaseUrl}|${settings.amqpUrl}|${settings.ledgerQueue}`;
  let rt = map.get(key);
  if (!rt) {
    const created = createRepublishRuntime(settings);
    const close = created.close.bind(created);
    created.close = async () => {
      map.delete(key);
      await close();
    };
    map.set(key, (rt = created));
  }
  return rt;
}

export function crashAfterConfirmFromEnv(): boolean {
  return process.env.EVENTDESK_TEST_CRASH_AFTER_CONFIRM === '1';
}
