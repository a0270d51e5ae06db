// A drainer as its own process, configured by one JSON argument; used by the SIGKILL test and
// the benchmark (which measures this process's RSS). Prints "ready" once consuming and a JSON
// status line on stdout every `statusEveryMs`; SIGTERM stops it gracefully. Like a real
// EventDesk process it also runs the search indexer, kicked by each commit.
//   tsx scripts/run-drainer.ts '{"amqpUrl":"...","queue":"...","databaseUrl":"..."}'
// With "notify": true it also runs the notification services as startBackground does (the
// sender, and the condition duty's pass every 10 s), for `bench:drain -- --notify`.
import { parseEnv } from '@/lib/env';
import { logger } from '@/lib/log';
import { startNotifications, type StartedNotifications } from '@/lib/runtime/start-notifications';
import { Drainer, type DrainerOptions } from '@/lib/bus/drainer';
import { startSearchIndexer } from '@/lib/bus/search-indexer';

// "derive": false stores only (another process derives), as a worker whose deriver is elsewhere;
// "notify": true runs the notification services too (bench:drain --notify)
const options = JSON.parse(process.argv[2] ?? '{}') as DrainerOptions & { statusEveryMs?: number; derive?: boolean; notify?: boolean };
const settings = parseEnv({ ...process.env, DATABASE_URL: options.databaseUrl, AMQP_URL: options.amqpUrl });
const indexer = startSearchIndexer(options.databaseUrl!, logger.child({ component: 'search-indexer' }), settings.MASK_FIELDS);
const { derive, notify: _notify, ...drainerOptions } = options;
const drainer = new Drainer({ ...drainerOptions, onStored: () => indexer.kick(), ...(derive === false ? { deriver: null } : {}) });
await drainer.start();
let notifications: StartedNotifications | null = null;
let conditions: NodeJS.Timeout | undefined;
if (options.notify) {
  notifications = startNotifications(settings, logger);
  const n = notifications;
  conditions = setInterval(() => void n.evaluate().catch((err: Error) => logger.warn({ err: err.message }, 'notification conditions pass failed')), 10_000);
}

const timer = setInterval(() => {
  const s = drainer.status();
  process.stdout.write(JSON.stringify({ ...s, rss: process.memoryUsage().rss }) + '\n');
}, options.statusEveryMs ?? 1000);

const stop = async () => {
  clearInterval(timer);
  clearInterval(conditions);
  for (const svc of [...(notifications?.services ?? [])].reverse()) await svc.stop();
  await drainer.stop();
  await indexer.stop();
  process.stdout.write(JSON.stringify({ ...drainer.status(), rss: process.memoryUsage().rss, final: true }) + '\n');
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
