// Child process of notifications-timeout.test.ts, run with --expose-gc: one notification attempt
// (postOnce) to a receiver that never answers, with the stop signal a sender passes and garbage
// collections forced while it waits; prints the outcome as JSON.
import { postOnce } from '@/lib/notifications/sender';

const [url, timeoutMs] = [process.argv[2], Number(process.argv[3])];
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc');
const gcs = setInterval(collect, 50);
const stop = new AbortController();
const out = await postOnce(url, 'test', 'delivery-1', Buffer.from('{}'), 'secret', timeoutMs, stop.signal);
clearInterval(gcs);
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
