// Child process of bulk-crash.test.ts: runs the bulk job runner (short lease, small batches, so
// several batches are in flight) until the test kills it with SIGKILL mid-job.
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import { createRepublishRuntime } from '@/lib/jobs/republish-runtime';

const [databaseUrl, amqpUrl, ledgerQueue] = process.argv.slice(2);
const rt = createRepublishRuntime({ databaseUrl, amqpUrl, ledgerQueue, eventsExchange: 'edu.events', maxRetries: 3 });
new BulkRunner(rt, { pollMs: 50, leaseMs: 1500, maxBatch: 200 }).start();
process.stdout.write('runner started\n');
