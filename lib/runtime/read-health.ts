// What GET /api/health reports about the broker and the drain, cheaply: the drainer's status when
// this process runs one, else a broker probe cached for a few seconds (no table counts here).
import amqp from 'amqplib';
import { currentDrainStatuses, laterTime, sumDrainStatus } from '@/lib/bus/drain-status';
import type { SearchBacklogState } from '@/lib/bus/search-indexer';
import type { DerivationLag } from '@/lib/bus/derive-dead-letters';
import type { Health } from '@/lib/schemas/health';
import type { ProcessItem } from '@/lib/schemas/processes';

/** The body of GET /api/health (lib/schemas/health.ts). */
export type HealthBody = Health;

const probe = globalThis as unknown as { __eventdeskBrokerProbe?: { at: number; ok: Promise<boolean> } };

function probeBroker(url: string, ttlMs = 5000): Promise<boolean> {
  const cached = probe.__eventdeskBrokerProbe;
  if (cached && Date.now() - cached.at < ttlMs) return cached.ok;
  const ok = amqp
    .connect(url, { timeout: 2000, clientProperties: { connection_name: 'eventdesk-health-probe' } })
    .then(async (c) => {
      await c.close().catch(() => {
        /* the probe connected, which is all it asks: a failed close changes nothing */
      });
      return true;
    })
    .catch(() => false);
  probe.__eventdeskBrokerProbe = { at: Date.now(), ok };
  return ok;
}

export async function readHealth(
  databaseOk: boolean,
  amqpUrl: string,
  search: SearchBacklogState | null = null,
  processes: ProcessItem[] | null = null,
  derivation: DerivationLag | null = null,
  /** when the newest dead letter in the database was stored (readLastStoredAt), whichever process stored it */
  lastStoredAt: string | null = null,
): Promise<HealthBody> {
  const perDlq = currentDrainStatuses();
  const drain = perDlq ? sumDrainStatus(perDlq) : null;
  const brokerOk = drain ? drain.brokerConnected : await probeBroker(amqpUrl);
  const body: HealthBody = {
    status: 'ok',
    database: { ok: databaseOk },
    broker: { ok: brokerOk },
    drain: drain
      ? {
          state: drain.state,
          dlqDepth: drain.dlqDepth,
          drainedTotal: drain.drainedTotal,
          parkedTotal: drain.parkedTotal,
          // this process's drain, or the database's newest (stored before a restart, or by another process)
          lastDrainedAt: laterTime(drain.lastDrainedAt, lastStoredAt),
          dlqMissing: drain.dlqMissing,
          error: drain.lastError,
          dlqs: perDlq!.map((s) => ({
            queue: s.queue,
            state: s.state,
            dlqDepth: s.dlqDepth,
            drainedTotal: s.drainedTotal,
            parkedTotal: s.parkedTotal,
            lastDrainedAt: s.lastDrainedAt,
            dlqMissing: s.dlqMissing,
            error: s.lastError,
          })),
        }
      : { state: 'stopped', dlqDepth: null, drainedTotal: 0, parkedTotal: 0, lastDrainedAt: lastStoredAt, error: null },
    derivation,
    search,
    // host and pid stay behind GET /api/processes (viewer): health is public
    processes: processes?.map(({ host: _host, pid: _pid, ...p }) => p) ?? null,
  };
  if (!databaseOk || !brokerOk || (drain && drain.state === 'error')) body.status = 'degraded';
  return body;
}
