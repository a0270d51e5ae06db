// The republish settings of this process, from env() (entry points and routes only).
import { env } from '@/lib/env';
import { crashAfterConfirmFromEnv, type RepublishSettings } from './republish-runtime';

export function republishSettingsFromEnv(): RepublishSettings {
  const e = env();
  return {
    databaseUrl: e.DATABASE_URL,
    amqpUrl: e.AMQP_URL,
    eventsExchange: e.EVENTS_EXCHANGE,
    maxRetries: e.MAX_RETRIES,
    ledgerQueue: e.REPUBLISH_LEDGER_QUEUE,
    crashAfterConfirm: crashAfterConfirmFromEnv(),
  };
}
