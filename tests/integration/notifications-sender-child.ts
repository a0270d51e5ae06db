// Child process of notifications-senders.test.ts: one EventDesk process's notification services
// (lib/runtime/start-notifications.ts, as startBackground starts them) on the test's database.
import { env } from '@/lib/env';
import { logger } from '@/lib/log';
import { startNotifications } from '@/lib/runtime/start-notifications';

const started = startNotifications(env(), logger);
process.stdout.write(`sender started ${process.pid}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    for (const s of [...started.services].reverse()) await s.stop();
    process.exit(0);
  })();
});
