// A drainer as its own process, configured by one JSON argument; used by the SIGKILL test and
// the benchmark (which measures this process's RSS). Prints "ready" once consuming and a JSON
// status line on stdout every `statusEveryMs`; SIGTERM stops it gracefully. Like a real
// EventDesk process it also runs the search indexer, kicked by each commit.
//   tsx lib/bus/run-drainer.ts '{"amqpUrl":"...","queue":"...","databaseUrl":"..."}'
import { logger } from '@/lib/log';
import { Drainer, type DrainerOptions } from './drainer';
import { startSearchIndexer } from './search-indexer';

// "derive": false stores only (another process derives), as a worker whose deriver is elsewhere
const options = JSON.parse(process.argv[2] ?? '{}') as DrainerOptions & { statusEveryMs?: number; derive?: boolean };
const indexer = startSearchIndexer(options.databaseUrl!, logger.child({ component: 'search-indexer' }));
const { derive, ...drainerOptions } = options;
const drainer = new Drainer({ ...drainerOptions, onStored: () => indexer.kick(), ...(derive === false ? { deriver: null } : {}) });
await drainer.start();

const timer = setInterval(() => {
  const s = drainer.status();
  process.stdout.write(JSON.stringify({ ...s, rss: process.memoryUsage().rss }) + '\n');
}, options.statusEveryMs ?? 1000);

const stop = async () => {
  clearInterval(timer);
  await drainer.stop();
  await indexer.stop();
  process.stdout.write(JSON.stringify({ ...drainer.status(), rss: process.memoryUsage().rss, final: true }) + '\n');
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
