// The condition events of notifications (issue 16): dlq.rate, drain.stopped and
// queue.no_consumers. Evaluated by a once-per-cluster duty (lib/runtime/background.ts) every few
// seconds and written to notification_outbox, one row per channel (each channel has its own N, M
// and thresholds), with a dedupe_key that makes one event per episode:
// - dlq.rate: more than N dead letters (event_minute_stats, the drain's exact counts) in the last M
//   minutes; at most one per channel and M-minute window ("dlq.rate:<channel>:<window>");
// - drain.stopped: the drain (of the process holding the duty) in error or stopped for more than
//   the channel's seconds; one per episode ("drain.stopped:<channel>:<episode start>");
// - queue.no_consumers: a consumer queue with a backlog and no consumer for more than the
//   channel's seconds; one per queue and episode.
// An episode's start is remembered by the evaluator: should the duty move to another process
// mid-episode, the new holder starts counting afresh (a late, not a doubled, notification).
import type { Logger } from 'pino';
import type { QueueHealth } from '@/lib/bus/queue-health';
import type { Queryable } from '@/lib/bus/with-client';

export interface ConditionProbes {
  /** this process's drain state, or null when it runs no drain (then drain.stopped is not judged) */
  drain(): { state: string; lastError: string | null } | null;
  /** the platform's consumer queues now; throws when the broker cannot be asked */
  queues(): Promise<Pick<QueueHealth, 'name' | 'messages' | 'consumers'>[]>;
}

interface ChannelRow {
  id: string;
  events: string[];
  event_types: string[];
  rate_count: number;
  rate_minutes: number;
  drain_stopped_seconds: number;
  no_consumers_seconds: number;
}

const BAD_DRAIN_STATES = new Set(['error', 'stopped']);

export interface ConditionEvaluator {
  /** one pass; returns the outbox rows written */
  run(now?: Date): Promise<number>;
}

/**
 * The queues queue.no_consumers watches: the platform's consumer queues (the spec's topology) and
 * every queue dead letters have died in (failure_groups, a row per group: small), as the Queues
 * page lists them. Only the spec's names were watched: a consumer queue of this install under
 * another name, 2,000 messages and no consumer, was never reported.
 */
export async function watchedQueues(db: Queryable, platformQueues: readonly string[], retryQueues: ReadonlySet<string> = new Set()): Promise<string[]> {
  const { rows } = await db.query<{ queue: string }>(`SELECT DISTINCT queue FROM failure_groups WHERE queue <> '' ORDER BY queue LIMIT 500`);
  // a retry queue has no consumer by design (its messages wait out a TTL), as the Queues page says
  return [...new Set([...platformQueues, ...rows.map((r) => r.queue)])].filter((q) => !retryQueues.has(q));
}

export function createConditionEvaluator(db: Queryable, probes: ConditionProbes, log: Logger): ConditionEvaluator {
  let drainBad: { since: Date; state: string } | null = null;
  const queueSince = new Map<string, Date>();

  const insert = async (type: string, channelId: string, dedupeKey: string, payload: unknown, eventType: string | null = null) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO notification_outbox (type, event_type, channel_id, dedupe_key, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [type, eventType, channelId, dedupeKey, JSON.stringify(payload)],
    );
    return rows.length;
  };

  return {
    async run(now = new Date()) {
      // the drain's episode is tracked whether or not anyone listens now
      const drain = probes.drain();
      if (drain && BAD_DRAIN_STATES.has(drain.state)) {
        if (!drainBad || drainBad.state !== drain.state) drainBad = { since: drainBad?.since ?? now, state: drain.state };
      } else drainBad = null;

      const { rows: channels } = await db.query<ChannelRow>(
        `SELECT id, events, event_types, rate_count, rate_minutes, drain_stopped_seconds, no_consumers_seconds
         FROM notification_channels WHERE enabled AND events && ARRAY['dlq.rate', 'drain.stopped', 'queue.no_consumers']`,
      );
      let written = 0;

      for (const c of channels.filter((c) => c.events.includes('dlq.rate'))) {
        const { rows } = await db.query<{ n: string }>(
          `SELECT COALESCE(sum(dead_lettered), 0)::text AS n FROM event_minute_stats
           WHERE minute >= date_trunc('minute', $1::timestamptz) - ($2::int - 1) * interval '1 minute'
             AND (cardinality($3::text[]) = 0 OR event_type = ANY($3::text[]))`,
          [now, c.rate_minutes, c.event_types],
        );
        const count = Number(rows[0]?.n ?? 0);
        if (count <= c.rate_count) continue;
        const window = Math.floor(now.getTime() / (c.rate_minutes * 60_000));
        const eventType = c.event_types.length === 1 ? c.event_types[0] : null;
        written += await insert(
          'dlq.rate',
          c.id,
          `dlq.rate:${c.id}:${window}`,
          { rate: { count, minutes: c.rate_minutes, threshold: c.rate_count, ...(eventType ? { eventType } : {}) } },
          eventType,
        );
      }

      if (drainBad) {
        const bad = drainBad;
        for (const c of channels.filter((c) => c.events.includes('drain.stopped'))) {
          if (now.getTime() - bad.since.getTime() < c.drain_stopped_seconds * 1000) continue;
          written += await insert('drain.stopped', c.id, `drain.stopped:${c.id}:${bad.since.getTime()}`, {
            drain: { state: bad.state, since: bad.since.toISOString(), error: drain?.lastError ?? undefined },
          });
        }
      }

      const watching = channels.filter((c) => c.events.includes('queue.no_consumers'));
      if (watching.length) {
        let queues: Awaited<ReturnType<ConditionProbes['queues']>>;
        try {
          queues = await probes.queues();
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'queue health unavailable; queue.no_consumers not judged this pass');
          return written;
        }
        const seen = new Set<string>();
        for (const q of queues) {
          if (q.messages > 0 && q.consumers === 0) {
            seen.add(q.name);
            if (!queueSince.has(q.name)) queueSince.set(q.name, now);
          }
        }
        for (const name of [...queueSince.keys()]) if (!seen.has(name)) queueSince.delete(name);
        for (const q of queues) {
          const since = queueSince.get(q.name);
          if (!since) continue;
          for (const c of watching) {
            if (now.getTime() - since.getTime() < c.no_consumers_seconds * 1000) continue;
            written += await insert('queue.no_consumers', c.id, `queue.no_consumers:${c.id}:${q.name}:${since.getTime()}`, {
              queue: { name: q.name, messages: q.messages, consumers: q.consumers, since: since.toISOString() },
            });
          }
        }
      } else queueSince.clear();
      return written;
    },
  };
}
