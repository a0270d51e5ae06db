// The demo's knobs. The CLI sets rate/count/fail-ratio; tests shrink every delay.
import type { Logger } from 'pino';
import type { QueueType } from '@/lib/platform/topology';

export interface DemoOptions {
  amqpUrl: string;
  exchange: string;
  dlq: string;
  /** events per second */
  rate: number;
  /** publish this many events, wait for the bus to settle, and end; undefined: until stopped */
  count?: number;
  /** share of events whose primary consumer fails (downstream error, flaky, hang) */
  failRatio: number;
  /** prepended to every service queue name (tests keep their queues apart) */
  servicePrefix: string;
  retryDelaysMs: number[];
  /** handler timeout; short so a hanging handler reaches the DLQ within a minute */
  timeoutMs: number;
  /** the consumer stopped for a while; its queue has x-max-length `maxLength` */
  stoppedService: string;
  stopAfterMs: number;
  stopForMs: number;
  /** endless runs stop the consumer again every this often */
  stopEveryMs: number;
  maxLength: number;
  /** every queue's type (service, retry, DLQ); default classic */
  queueType?: QueueType;
  /** per-message TTL of the event sent to the stopped consumer's queue */
  expirationMs: number;
  /** endless runs inject the contract violation, poison and forced faults again this often */
  injectEveryMs: number;
  seed: number;
  signal?: AbortSignal;
  /** the once-a-second status line */
  print: (line: string) => void;
  logger?: Logger;
}

export const DEMO_DEFAULTS = {
  rate: 20,
  failRatio: 0.05,
  servicePrefix: '',
  retryDelaysMs: [1_000, 4_000, 16_000],
  timeoutMs: 2_000,
  stoppedService: 'search-service',
  stopAfterMs: 8_000,
  stopForMs: 25_000,
  stopEveryMs: 120_000,
  maxLength: 20,
  expirationMs: 3_000,
  injectEveryMs: 20_000,
  seed: 20261127,
} satisfies Partial<DemoOptions>;

export interface DemoArgs {
  rate?: number;
  count?: number;
  failRatio?: number;
  /** the random generator's seed: a run with the same seed publishes the same events (ids included) */
  seed?: number;
  /** remove what the demo declares instead of running it */
  teardown?: boolean;
  /** with teardown: even a topology without the demo's marker (lib/demo/teardown.ts) */
  force?: boolean;
  /** declare the platform's queues as classic (default) or quorum queues */
  queueType?: QueueType;
}

/** Parses `--rate 50 --count 1000 --fail-ratio 0.1 --seed 42 --queue-type quorum --teardown [--force]` (also `--rate=50`). */
export function parseDemoArgs(argv: string[]): DemoArgs {
  const out: DemoArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    if (flag === '--teardown') {
      if (inline !== undefined) throw new Error('--teardown takes no value');
      out.teardown = true;
      continue;
    }
    if (flag === '--force') {
      if (inline !== undefined) throw new Error('--force takes no value');
      out.force = true;
      continue;
    }
    const value = inline ?? argv[++i];
    const n = Number(value);
    const bad = (why: string) => new Error(`${flag}: ${why} (got "${value ?? ''}")`);
    switch (flag) {
      case '--rate':
        if (!(n > 0 && n <= 10_000)) throw bad('expected events per second, 0 < rate <= 10000');
        out.rate = n;
        break;
      case '--count':
        if (!Number.isInteger(n) || n < 1) throw bad('expected a whole number of events >= 1');
        out.count = n;
        break;
      case '--fail-ratio':
        if (!(n >= 0 && n <= 1)) throw bad('expected a ratio between 0 and 1');
        out.failRatio = n;
        break;
      case '--seed':
        if (value === undefined || value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw bad('expected a whole number >= 0');
        out.seed = n;
        break;
      case '--queue-type':
        if (value !== 'classic' && value !== 'quorum') throw bad('expected classic or quorum');
        out.queueType = value;
        break;
      default:
        throw new Error(`unknown option ${flag} (options: --rate R, --count N, --fail-ratio F, --seed N, --queue-type classic|quorum, --teardown [--force])`);
    }
  }
  if (out.force && !out.teardown) throw new Error('--force goes with --teardown only');
  return out;
}

/** A seed for a run without --seed: each run publishes new events (new ids), unlike a fixed one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
