// `npm run worker`: the drainer and the other background services without the web server.
// Several can run at once on the same DLQ (no duplicate records); SIGTERM stops it cleanly.
import 'dotenv/config';
import { envOrExit } from '@/lib/env';
import { logger } from '@/lib/log';
import { startBackground } from '@/lib/runtime/background';
import { prepareDatabase } from './migrate';

async function main() {
  const settings = envOrExit();
  await prepareDatabase(settings.DATABASE_URL);
  startBackground('worker');
  logger.info('worker running (Ctrl-C to stop)');
}

main().catch((err) => {
  logger.fatal({ err: (err as Error).message }, 'worker failed to start');
  process.exit(1);
});
