// Child process of republish-crash.test.ts: republishes one dead letter with the test hook
// EVENTDESK_TEST_CRASH_AFTER_CONFIRM=1, so it exits between the broker's confirm and the commit.
import { republishOne } from '@/lib/actions/republish-dead-letter';
import { createRepublishRuntime, crashAfterConfirmFromEnv } from '@/lib/jobs/republish-runtime';

const [databaseUrl, amqpUrl, ledgerQueue, deadLetterId] = process.argv.slice(2);
const rt = createRepublishRuntime({
  databaseUrl,
  amqpUrl,
  ledgerQueue,
  eventsExchange: 'edu.events',
  maxRetries: 3,
  crashAfterConfirm: crashAfterConfirmFromEnv(),
});
await republishOne(rt, { deadLetterId, actor: { name: 'olivia@example.com', role: 'operator' }, reason: 'before the crash' });
await rt.close();
process.exit(0);
