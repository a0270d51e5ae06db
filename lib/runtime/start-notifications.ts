// Notifications (issue 16) in one EventDesk process: the sender (fan-out + delivery, in every
// process: they share the work through SKIP LOCKED and leases) and the condition evaluator, run
// by the caller as a once-per-cluster duty (conditions.ts). The evaluator's broker connection
// (queue.no_consumers) opens only when a channel subscribes to that event.
import pg from 'pg';
import type { Logger } from 'pino';
import { ReconnectingConnection } from '@/lib/bus/connection';
import { currentDrainStatus } from '@/lib/bus/drain-status';
import { ignoreClosing } from '@/lib/bus/ignore-closing';
import { checkQueues } from '@/lib/bus/queue-health';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import type { Env } from '@/lib/env';
import { createConditionEvaluator, watchedQueues } from '@/lib/notifications/conditions';
import { startNotificationSender, type NotificationSender } from '@/lib/notifications/sender';
import { PLATFORM_CONSUMERS } from '@/lib/platform/consumers';
import { DEFAULT_RETRY_DELAYS_MS, retryQueueNames } from '@/lib/platform/topology';
import type { BackgroundService } from './background';

export interface StartedNotifications {
  sender: NotificationSender;
  services: BackgroundService[];
  /** one pass of the condition duty */
  evaluate(): Promise<void>;
}

export function senderSettings(settings: Env) {
  return {
    consoleUrl: settings.NEXTAUTH_URL ?? `http://localhost:${settings.PORT}`,
    backoffBaseMs: settings.NOTIFY_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(settings.NOTIFY_BACKOFF_MAX_MS, settings.NOTIFY_BACKOFF_BASE_MS),
    timeoutMs: settings.NOTIFY_TIMEOUT_MS,
    giveUpHours: settings.NOTIFY_GIVE_UP_HOURS,
  };
}

export function startNotifications(settings: Env, logger: Logger): StartedNotifications {
  const log = logger.child({ component: 'notifications' });
  const sender = startNotificationSender({ ...senderSettings(settings), databaseUrl: settings.DATABASE_URL, logger: log });
  const pool = new pg.Pool({
    connectionString: settings.DATABASE_URL,
    max: 1,
    ...dbTimeouts({ statementMs: 5000 }),
    application_name: 'eventdesk-notify-conditions',
  });
  guardPool(pool, (err) => log.debug({ err: err.message }, 'notification conditions database connection lost'));
  let broker: ReconnectingConnection | null = null;
  const evaluator = createConditionEvaluator(
    pool,
    {
      drain: () => currentDrainStatus(),
      queues: async () => {
        broker ??= new ReconnectingConnection({ url: settings.AMQP_URL, name: 'eventdesk-notify-conditions', maxDelayMs: 5000 }).start();
        const connection = await broker.waitConnected(3000);
        return checkQueues(
          connection,
          await watchedQueues(
            pool,
            PLATFORM_CONSUMERS.map((s) => s.name),
            new Set(PLATFORM_CONSUMERS.flatMap((s) => retryQueueNames(s.name, DEFAULT_RETRY_DELAYS_MS))),
          ),
        );
      },
    },
    log,
  );
  return {
    sender,
    services: [
      { name: 'notify-sender', stop: () => sender.stop() },
      {
        name: 'notify-conditions',
        stop: async () => {
          await broker?.close().catch(ignoreClosing);
          await pool.end().catch(ignoreClosing);
        },
      },
    ],
    evaluate: async () => {
      const n = await evaluator.run();
      if (n) {
        log.info({ events: n }, 'condition notifications written');
        sender.kick();
      }
    },
  };
}
