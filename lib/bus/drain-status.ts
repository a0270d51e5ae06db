// The drain's state as /api/health and the console show it. Kept on globalThis because Next loads
// modules more than once (instrumentation and routes get different copies of this file).
export type DrainState = 'running' | 'paused' | 'stopped' | 'error';

export interface DrainStatus {
  /** the DLQ this drainer reads ('' in a sum over several) */
  queue: string;
  state: DrainState;
  lastError: string | null;
  /** the DLQ could not be found (passive check); retried every few seconds */
  dlqMissing: boolean;
  /** messages waiting in the DLQ (passive checkQueue), null when unknown */
  dlqDepth: number | null;
  dlqConsumers: number | null;
  /** dead letters stored (new deaths) by this process since it started */
  drainedTotal: number;
  duplicatesSkipped: number;
  /** messages moved aside (parking queue + an "unreadable" record) by this process since it started */
  parkedTotal: number;
  /** broker connections the drain has attached to since it started (1 = never reconnected) */
  connections: number;
  lastDrainedAt: string | null;
  brokerConnected: boolean;
  databaseOk: boolean;
}

export function initialDrainStatus(): DrainStatus {
  return {
    queue: '',
    state: 'stopped',
    lastError: null,
    dlqMissing: false,
    dlqDepth: null,
    dlqConsumers: null,
    drainedTotal: 0,
    duplicatesSkipped: 0,
    parkedTotal: 0,
    connections: 0,
    lastDrainedAt: null,
    brokerConnected: false,
    databaseOk: true,
  };
}

/** The later of two ISO times (either may be missing). */
export const laterTime = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a > b ? a : b);

/** worst first: one DLQ in error makes the drain's state error; else one running makes it running */
const STATE_ORDER: DrainState[] = ['error', 'running', 'paused', 'stopped'];

/**
 * The status of several drainers (one per DLQ) as one: counts and depths summed (a depth unknown
 * for one DLQ is left out of the sum; null when unknown for all), the worst state, the first
 * error (named by its DLQ when there are several), broker and database ok only when ok for all.
 */
export function sumDrainStatus(list: DrainStatus[]): DrainStatus {
  if (list.length === 1) return list[0];
  const sum = initialDrainStatus();
  if (!list.length) return sum;
  const known = (pick: (s: DrainStatus) => number | null) => {
    const values = list.map(pick).filter((v): v is number => v !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  };
  sum.state = STATE_ORDER.find((state) => list.some((s) => s.state === state)) ?? 'stopped';
  const failing = list.find((s) => s.lastError);
  sum.lastError = failing ? `${failing.queue}: ${failing.lastError}` : null;
  sum.dlqMissing = list.some((s) => s.dlqMissing);
  sum.dlqDepth = known((s) => s.dlqDepth);
  sum.dlqConsumers = known((s) => s.dlqConsumers);
  for (const s of list) {
    sum.drainedTotal += s.drainedTotal;
    sum.duplicatesSkipped += s.duplicatesSkipped;
    sum.parkedTotal += s.parkedTotal;
    sum.connections += s.connections;
    sum.lastDrainedAt = laterTime(sum.lastDrainedAt, s.lastDrainedAt);
  }
  sum.brokerConnected = list.every((s) => s.brokerConnected);
  sum.databaseOk = list.every((s) => s.databaseOk);
  return sum;
}

const holder = globalThis as unknown as { __eventdeskDrainStatus?: () => DrainStatus[] };

/**
 * The running process's drainers register how to read their status (background.ts): one
 * drainer's, or each DLQ's drainer's in the order of DLQ_QUEUE.
 */
export function publishDrainStatus(source: (() => DrainStatus | DrainStatus[]) | null): void {
  holder.__eventdeskDrainStatus = source
    ? () => {
        const s = source();
        return Array.isArray(s) ? s : [s];
      }
    : undefined;
}

/** Status of this process's drain, summed over its DLQs, or null when this process runs none (DRAIN=false). */
export function currentDrainStatus(): DrainStatus | null {
  const list = holder.__eventdeskDrainStatus?.();
  return list ? sumDrainStatus(list) : null;
}

/** Status of each DLQ's drainer in this process (DLQ_QUEUE's order), or null when it runs none. */
export function currentDrainStatuses(): DrainStatus[] | null {
  return holder.__eventdeskDrainStatus?.() ?? null;
}
