// The republish settings of this process, from env() (entry points and routes only).
import { databaseName } from '@/lib/db/ensure-database';
import { env } from '@/lib/env';
import { crashAfterConfirmFromEnv, type RepublishSettings } from './republish-runtime';

export function republishSettingsFromEnv(): RepublishSettings {
  const e = env();
  return {
    databaseUrl: e.DATABASE_URL,
    amqpUrl: e.AMQP_URL,
    eventsExchange: e.EVENTS_EXCHANGE,
    maxRetries: e.MAX_RETRIES,
    // one ledger per database: two EventDesk installs on one broker never settle each other's intents
    ledgerQueue: e.REPUBLISH_LEDGER_QUEUE ?? `eventdesk.republish.ledger.${databaseName(e.DATABASE_URL)}`,
    dlqQueues: e.DLQ_QUEUE,
    crashAfterConfirm: crashAfterConfirmFromEnv(),
  };
}
