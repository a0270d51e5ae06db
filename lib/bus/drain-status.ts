// The drain's state as /api/health and the console show it. Kept on globalThis because Next loads
// modules more than once (instrumentation and routes get different copies of this file).
export type DrainState = 'running' | 'paused' | 'stopped' | 'error';

export interface DrainStatus {
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

const holder = globalThis as unknown as { __eventdeskDrainStatus?: () => DrainStatus };

/** The running process's drainer registers how to read its status (background.ts). */
export function publishDrainStatus(source: (() => DrainStatus) | null): void {
  holder.__eventdeskDrainStatus = source ?? undefined;
}

/** Status of this process's drainer, or null when this process runs none (DRAIN=false). */
export function currentDrainStatus(): DrainStatus | null {
  return holder.__eventdeskDrainStatus?.() ?? null;
}
