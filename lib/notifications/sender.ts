// The notification sender (issue 16), in every EventDesk process: it fans undispatched outbox
// rows out into one delivery per subscribed channel, and delivers due deliveries with retries.
// Several processes share the work without sending a delivery twice at once:
// - fan-out: the outbox rows are taken FOR UPDATE SKIP LOCKED, their deliveries inserted
//   ON CONFLICT DO NOTHING (UNIQUE(outbox_id, channel_id)) and dispatched_at set, one transaction;
// - delivery: due rows are claimed FOR UPDATE SKIP LOCKED with a lease (lease_owner, lease_until)
//   that outlives one attempt's timeout; a dead process's lease expires and another takes over.
// A process that dies after the receiver answered 2xx but before it wrote "delivered" leaves
// the delivery to be sent again after its lease: receivers dedupe on X-EventDesk-Delivery.
// Every wait is bounded (the pool's deadlines, the attempt's deadlineSignal); a failing
// database only makes the loop log and back off.
import { effectiveStatusSql } from '@/lib/groups/effective-status';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '@/lib/backoff';
import { deadlineSignal } from '@/lib/deadline-signal';
import { ignoreClosing } from '@/lib/bus/ignore-closing';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import type { NotificationEvent } from '@/lib/schemas/notifications';
import { buildBody, encodeBody, signBody, type OutboxEvent } from './payload';

export interface SenderSettings {
  /** NEXTAUTH_URL: the console's deep links */
  consoleUrl: string;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  giveUpHours: number;
}

export interface SenderOptions extends SenderSettings {
  databaseUrl: string;
  logger: Logger;
  /** how often it looks for work when nothing woke it (1 s) */
  pollMs?: number;
  /** deliveries claimed (and sent in parallel) at once (20) */
  batch?: number;
}

export interface NotificationSender {
  readonly ownerId: string;
  /** look for work now (an outbox row was just written here) */
  kick(): void;
  stop(): Promise<void>;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

const FAN_OUT_BATCH = 200;

/**
 * One fan-out pass: up to FAN_OUT_BATCH undispatched outbox rows become deliveries, in one
 * statement (one transaction). A row aimed at a channel (channel_id) reaches that channel only;
 * a test reaches its channel whatever it subscribes to. Returns the outbox rows dispatched.
 */
export async function fanOut(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `WITH rows AS (
       SELECT id, type, event_type, channel_id FROM notification_outbox
       WHERE dispatched_at IS NULL ORDER BY created_at LIMIT ${FAN_OUT_BATCH} FOR UPDATE SKIP LOCKED
     ), ins AS (
       INSERT INTO notification_deliveries (outbox_id, channel_id, type)
       SELECT r.id, c.id, r.type FROM rows r JOIN notification_channels c
         ON (r.channel_id IS NULL OR r.channel_id = c.id)
        AND ((r.type = 'test' AND r.channel_id = c.id)
          OR (c.enabled AND r.type = ANY(c.events)
              AND (cardinality(c.event_types) = 0 OR r.event_type IS NULL OR r.event_type = ANY(c.event_types))))
       ON CONFLICT (outbox_id, channel_id) DO NOTHING
     )
     UPDATE notification_outbox o SET dispatched_at = now() FROM rows r WHERE o.id = r.id`,
  );
  return rowCount ?? 0;
}

interface ClaimedRow {
  id: string;
  attempts: number;
  created_at: Date;
  kind: string;
  url: string;
  secret: string;
  channel_name: string;
  type: NotificationEvent;
  event_type: string | null;
  group_id: string | null;
  payload: Record<string, unknown>;
  outbox_created_at: Date;
  g_id: string | null;
  g_event_type: string | null;
  g_queue: string | null;
  g_reason: string | null;
  g_signature: string | null;
  g_count: number | null;
  g_pending_count: number | null;
  g_status: string | null;
}

/** Claims up to `limit` due deliveries for `owner` (lease of leaseMs), with what sending them needs. */
export async function claimDue(db: Queryable, owner: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
  const { rows } = await db.query<ClaimedRow>(
    `WITH due AS (
       -- a disabled channel's deliveries wait (a test is sent anyway): enabling it resumes them
       SELECT d.id FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
         AND (c.enabled OR d.type = 'test')
       ORDER BY d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED
     ), claimed AS (
       UPDATE notification_deliveries d SET lease_owner = $1, lease_until = now() + $3 * interval '1 millisecond'
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.attempts, d.created_at, d.channel_id, d.outbox_id
     )
     SELECT c.id, c.attempts, c.created_at, ch.kind, ch.url, ch.secret, ch.name AS channel_name,
            o.type, o.event_type, o.group_id, o.payload, o.created_at AS outbox_created_at,
            g.id AS g_id, g.event_type AS g_event_type, g.queue AS g_queue, g.reason AS g_reason,
            g.signature AS g_signature, g.count AS g_count, g.pending_count AS g_pending_count,
            ${effectiveStatusSql('g')} AS g_status
     FROM claimed c
     JOIN notification_channels ch ON ch.id = c.channel_id
     JOIN notification_outbox o ON o.id = c.outbox_id
     LEFT JOIN failure_groups g ON g.id = o.group_id`,
    [owner, limit, leaseMs],
  );
  return rows;
}

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One POST: 2xx is delivered; anything else (a 3xx too: redirects are not followed) is a failure. */
export async function postOnce(
  url: string,
  type: string,
  deliveryId: string,
  raw: Buffer,
  secret: string,
  timeoutMs: number,
  stop?: AbortSignal,
): Promise<AttemptOutcome> {
  const started = Date.now();
  const deadline = deadlineSignal(timeoutMs, stop);
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: deadline.signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'EventDesk-Notifications/1',
        'x-eventdesk-event': type,
        'x-eventdesk-delivery': deliveryId,
        'x-eventdesk-signature': signBody(secret, raw),
      },
      body: new Uint8Array(raw),
    });
    await res.body?.cancel().catch(ignoreClosing);
    const ok = res.status >= 200 && res.status < 300;
    const error = ok ? null : res.status >= 300 && res.status < 400 ? `redirect (${res.status}) not followed` : `HTTP ${res.status}`;
    return { ok, statusCode: res.status, error, durationMs: Date.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error =
      e.name === 'TimeoutError'
        ? `timeout after ${timeoutMs} ms`
        : stop?.aborted
          ? 'stopped: the process was shutting down'
          : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, statusCode: null, error: String(error).slice(0, 500), durationMs: Date.now() - started };
  } finally {
    deadline.clear();
  }
}

/** Writes an attempt and its outcome; only while this owner still holds the lease. */
export async function recordOutcome(
  db: Queryable,
  row: { id: string; attempts: number },
  owner: string,
  out: AttemptOutcome,
  s: SenderSettings,
): Promise<void> {
  const delay = backoffDelay(row.attempts, s.backoffBaseMs, s.backoffMaxMs);
  await db.query(
    `WITH upd AS (
       UPDATE notification_deliveries SET
         attempts = attempts + 1, last_status_code = $2, last_error = $3, lease_owner = NULL, lease_until = NULL,
         status = CASE WHEN $5 THEN 'delivered' WHEN now() >= created_at + make_interval(hours => $7) THEN 'failed' ELSE 'pending' END,
         delivered_at = CASE WHEN $5 THEN now() END,
         next_attempt_at = CASE WHEN $5 THEN next_attempt_at
                                ELSE LEAST(now() + $6 * interval '1 millisecond', created_at + make_interval(hours => $7)) END
       WHERE id = $1 AND lease_owner = $8
       RETURNING id
     )
     INSERT INTO notification_attempts (delivery_id, status_code, error, duration_ms) SELECT id, $2, $3, $4 FROM upd`,
    [row.id, out.statusCode, out.error, out.durationMs, out.ok, delay, s.giveUpHours, owner],
  );
}

/** Claims and sends one batch; returns how many it sent. */
export async function deliverDue(db: Queryable, owner: string, s: SenderSettings, batch: number, log?: Logger, stop?: AbortSignal): Promise<number> {
  // the lease outlives one attempt (the timeout) with room for writing its outcome
  const rows = await claimDue(db, owner, batch, s.timeoutMs + 30_000);
  await Promise.all(
    rows.map(async (row) => {
      const event: OutboxEvent = {
        type: row.type,
        groupId: row.group_id,
        eventType: row.event_type,
        payload: row.payload ?? {},
        createdAt: row.outbox_created_at,
        group: row.g_id
          ? {
              id: row.g_id,
              eventType: row.g_event_type ?? '',
              queue: row.g_queue ?? '',
              reason: row.g_reason ?? '',
              signature: row.g_signature ?? '',
              count: row.g_count ?? 0,
              pendingCount: row.g_pending_count ?? 0,
              status: row.g_status,
            }
          : null,
      };
      const raw = encodeBody(row.kind, buildBody(event, row.id, s.consoleUrl, row.channel_name));
      const out = await postOnce(row.url, row.type, row.id, raw, row.secret, s.timeoutMs, stop);
      if (!out.ok)
        log?.info({ delivery: row.id, type: row.type, attempt: row.attempts + 1, status: out.statusCode, err: out.error }, 'notification attempt failed');
      await recordOutcome(db, row, owner, out, s);
    }),
  );
  return rows.length;
}

export function startNotificationSender(o: SenderOptions): NotificationSender {
  const log = o.logger;
  const ownerId = `sender-${randomUUID()}`;
  const pollMs = o.pollMs ?? 1000;
  const batch = o.batch ?? 20;
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 2, ...dbTimeouts({ statementMs: 10_000 }), application_name: 'eventdesk-notify' });
  guardPool(pool, (err) => log.debug({ err: err.message }, 'notification sender database connection lost'));
  const stopping = new AbortController();
  let wake = new AbortController();
  let failures = 0;

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let busy = false;
      try {
        const dispatched = await fanOut(pool);
        const sent = await deliverDue(pool, ownerId, o, batch, log, stopping.signal);
        busy = dispatched >= FAN_OUT_BATCH || sent >= batch;
        failures = 0;
      } catch (err) {
        failures++;
        log.warn({ err: (err as Error).message, failures }, 'notification sender pass failed; backing off');
        await sleep(backoffDelay(failures, 1000, 30_000), stopping.signal);
        continue;
      }
      if (busy) continue;
      await sleep(pollMs, AbortSignal.any([stopping.signal, wake.signal]));
      if (wake.signal.aborted) wake = new AbortController();
    }
  })();

  return {
    ownerId,
    kick() {
      wake.abort();
    },
    async stop() {
      stopping.abort();
      await loop.catch(ignoreClosing);
      await pool.end().catch(ignoreClosing);
    },
  };
}
