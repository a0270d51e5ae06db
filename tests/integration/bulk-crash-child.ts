// Child process of bulk-crash.test.ts: runs the bulk job runner (short lease, small batches, so
// several batches are in flight) until the test kills it, or until the test hook
// EVENTDESK_TEST_CRASH_AFTER_CONFIRM=1 makes it exit between a batch's confirms and its commit.
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import { createRepublishRuntime, crashAfterConfirmFromEnv } from '@/lib/jobs/republish-runtime';

const [databaseUrl, amqpUrl, ledgerQueue] = process.argv.slice(2);
const rt = createRepublishRuntime({
  databaseUrl,
  amqpUrl,
  ledgerQueue,
  eventsExchange: 'edu.events',
  maxRetries: 3,
  crashAfterConfirm: crashAfterConfirmFromEnv(),
});
new BulkRunner(rt, { pollMs: 50, leaseMs: 1500, maxBatch: 200 }).start();
process.stdout.write('runner started\n');
