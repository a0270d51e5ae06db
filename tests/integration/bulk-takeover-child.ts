// Child process of bulk-takeover.test.ts: a bulk job runner with the production defaults (lease
// 30 s, poll 1 s, batch from the job's rate), as `npm run worker` runs it. Prints its owner id
// (the lease_owner it writes) so that the test can tell which process holds a job.
import { BulkRunner } from '@/lib/jobs/bulk-runner';
import { createRepublishRuntime } from '@/lib/jobs/republish-runtime';

const [databaseUrl, amqpUrl, ledgerQueue] = process.argv.slice(2);
const rt = createRepublishRuntime({ databaseUrl, amqpUrl, ledgerQueue, eventsExchange: 'edu.events', maxRetries: 3 });
new BulkRunner(rt).start();
process.stdout.write(`owner ${rt.owner.id}\n`);
