// A drainer as its own process, configured by one JSON argument; used by the SIGKILL test and
// the benchmark (which measures this process's RSS). Prints "ready" once consuming and a JSON
// status line on stdout every `statusEveryMs`; SIGTERM stops it gracefully.
//   tsx lib/bus/run-drainer.ts '{"amqpUrl":"...","queue":"...","databaseUrl":"..."}'
import { Drainer, type DrainerOptions } from './drainer';

const options = JSON.parse(process.argv[2] ?? '{}') as DrainerOptions & { statusEveryMs?: number };
const drainer = new Drainer(options);
await drainer.start();

const timer = setInterval(() => {
  const s = drainer.status();
  process.stdout.write(JSON.stringify({ ...s, rss: process.memoryUsage().rss }) + '\n');
}, options.statusEveryMs ?? 1000);

const stop = async () => {
  clearInterval(timer);
  await drainer.stop();
  process.stdout.write(JSON.stringify({ ...drainer.status(), rss: process.memoryUsage().rss, final: true }) + '\n');
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
