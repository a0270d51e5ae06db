// Prepares one isolated world for the UI tests: a fresh database, a DLQ and exchange under
// unique names, and the production build serving them. Everything is removed afterwards.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { FullConfig } from '@playwright/test';
import { createTestDatabase } from '../tests/helpers/db';
import { createTestBroker, uniqueName } from '../tests/helpers/amqp';
import { startNextServer } from '../tests/helpers/next-server';
import { adminStorageStatePath, signInStorageState } from './auth-session';

export default async function globalSetup(_config: FullConfig) {
  const pgHost = process.env.TEST_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
  if (!/^postgres(ql)?:\/\/[^@]*@?(127\.0\.0\.1|localhost)(:\d+)?$/.test(pgHost)) {
    throw new Error(`refusing to run UI tests against a non-local database server: ${pgHost}`);
  }
  const db = await createTestDatabase('e2e');
  const broker = await createTestBroker();
  const exchange = uniqueName('e2e.events');
  const dlq = uniqueName('e2e.dlq');
  broker.track('exchange', exchange);
  broker.track('queue', dlq);
  const server = await startNextServer({
    DATABASE_URL: db.url,
    AMQP_URL: broker.url,
    EVENTS_EXCHANGE: exchange,
    DLQ_QUEUE: dlq,
    DECLARE_TOPOLOGY: 'true',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: (process.env.E2E_ADMIN_EMAIL ??= 'e2e-admin@example.test'),
    ADMIN_PASSWORD: (process.env.E2E_ADMIN_PASSWORD ??= `e2e-${randomUUID()}`),
  });
  // Every UI spec starts signed in as this admin (use.storageState); e2e/fixtures.ts has others.
  await signInStorageState(server.url, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD, adminStorageStatePath());
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_DATABASE_URL = db.url;
  process.env.E2E_AMQP_URL = broker.url;
  process.env.E2E_EVENTS_EXCHANGE = exchange;
  process.env.E2E_DLQ_QUEUE = dlq;

  return async () => {
    await server.stop();
    await broker.cleanup();
    await db.drop();
    rmSync(adminStorageStatePath(), { force: true });
  };
}
