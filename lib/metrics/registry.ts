// EventDesk's Prometheus registry and every metric it exports, created once per process and kept
// on globalThis (Next loads modules more than once; a second registration would throw). A
// registry of our own, not prom-client's global one, so the platform library's metrics in the
// same process (the demo) never collide with these names.
//
// The spec's names (event-architecture.md, "Monitoring") keep their meaning:
//   events_published_total            counted by the tap, per event_type
//   events_consumed_total             per event_type and queue, where EventDesk sees consumption
//   event_processing_duration_seconds per event_type and queue, where the platform reports it
//   event_processing_errors_total     per event_type and queue: deaths recorded by the drain
//   dlq_message_count                 per event_type and queue: dead letters still pending
//
// A leaf: what lives elsewhere is pushed in (the tap registers a reader with readTapWith; the
// scrape route refreshes the rest, lib/server/metrics/refresh-metrics.ts), so nothing here
// imports the broker or server code that itself records metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read from this process's tap at scrape time. */
export interface TapReading {
  totals: ReadonlyMap<string, number>;
  running: boolean;
  pendingFlush: number;
}

const tapSource = globalThis as unknown as { __eventdeskTapReading?: () => TapReading | null };

/** Called by the tap when it starts (lib/bus/tap-start.ts); kept on globalThis like the metrics. */
export function readTapWith(read: () => TapReading | null): void {
  tapSource.__eventdeskTapReading = read;
}

const tapReading = (): TapReading | null => tapSource.__eventdeskTapReading?.() ?? null;

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'eventdesk_' });

  const eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Events published to the platform exchange, counted by the EventDesk tap (exact, since process start)',
    labelNames: ['event_type'] as const,
    registers: [registry],
    collect() {
      // The tap keeps the totals; mirror them at scrape time instead of one inc() per event.
      const tap = tapReading();
      if (!tap) return;
      this.reset();
      for (const [type, n] of tap.totals) this.inc({ event_type: type }, n);
    },
  });

  return {
    registry,
    eventsPublished,
    eventsConsumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events consumed, per event type and queue, where EventDesk can see it',
      labelNames: ['event_type', 'queue'] as const,
      registers: [registry],
    }),
    processingDuration: new Histogram({
      name: 'event_processing_duration_seconds',
      help: 'Event processing time per event type and queue, where the platform reports it',
      labelNames: ['event_type', 'queue'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    processingErrors: new Counter({
      name: 'event_processing_errors_total',
      help: 'Events that died in a consumer queue (dead-lettered), per event type and queue, as recorded by the drain',
      labelNames: ['event_type', 'queue'] as const,
      registers: [registry],
    }),
    dlqMessages: new Gauge({
      name: 'dlq_message_count',
      help: 'Dead letters awaiting an operator (pending), per event type and the consumer queue they died in',
      labelNames: ['event_type', 'queue'] as const,
      registers: [registry],
    }),
    queueMessages: new Gauge({
      name: 'eventdesk_queue_messages',
      help: 'Ready messages in a platform queue or the DLQ (passive AMQP check)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    queueConsumers: new Gauge({
      name: 'eventdesk_queue_consumers',
      help: 'Consumers attached to a platform queue or the DLQ',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    drainedTotal: new Counter({
      name: 'eventdesk_drained_total',
      help: 'Messages the drainer in this process has moved from the DLQ to PostgreSQL since start',
      registers: [registry],
    }),
    drainParkedTotal: new Counter({
      name: 'eventdesk_drain_parked_total',
      help: 'Messages the drainer in this process could not read or store and parked (eventdesk.parked.<DLQ> + an unreadable record) since start',
      registers: [registry],
    }),
    // the same per DLQ (DLQ_QUEUE may list several); the totals above sum them
    dlqDrainedTotal: new Counter({
      name: 'eventdesk_dlq_drained_total',
      help: 'Messages the drainer in this process has moved from this DLQ to PostgreSQL since start',
      labelNames: ['dlq'] as const,
      registers: [registry],
    }),
    dlqParkedTotal: new Counter({
      name: 'eventdesk_dlq_parked_total',
      help: 'Messages the drainer in this process has parked from this DLQ (eventdesk.parked.<dlq>) since start',
      labelNames: ['dlq'] as const,
      registers: [registry],
    }),
    dlqDepth: new Gauge({
      name: 'eventdesk_dlq_depth',
      help: "Messages waiting in this DLQ, as this process's drainer last checked it (absent when unknown)",
      labelNames: ['dlq'] as const,
      registers: [registry],
    }),
    drainRate: new Gauge({
      name: 'eventdesk_drain_rate',
      help: 'Messages per second drained from the DLQ, over the last scrape interval (or 60 s)',
      registers: [registry],
    }),
    // Republishes and bulk jobs come from PostgreSQL at scrape time (republish_intents,
    // bulk_jobs), so they are right whichever process (server or worker) did the work.
    republished: new Counter({
      name: 'eventdesk_republished_total',
      help: 'Dead letters republished (settled intents), per target kind (origin queue or exchange)',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
    republishFailures: new Counter({
      name: 'eventdesk_republish_failures_total',
      help: 'Republish attempts that failed or were abandoned, per target kind',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
    bulkJobs: new Gauge({
      name: 'eventdesk_bulk_jobs',
      help: 'Bulk jobs per status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    bulkItems: new Counter({
      name: 'eventdesk_bulk_job_items_total',
      help: 'Items processed by bulk jobs, per action and outcome (succeeded, failed, skipped)',
      labelNames: ['action', 'outcome'] as const,
      registers: [registry],
    }),
    bulkProgress: new Gauge({
      name: 'eventdesk_bulk_job_progress_ratio',
      help: 'Progress of queued, running and paused bulk jobs (0..1)',
      labelNames: ['job_id', 'action', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'eventdesk_http_request_duration_seconds',
      help: 'API request latency per method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tapUp: new Gauge({
      name: 'eventdesk_tap_up',
      help: '1 when this process runs the monitoring tap and it is consuming',
      registers: [registry],
      collect() {
        this.set(tapReading()?.running ? 1 : 0);
      },
    }),
    tapPending: new Gauge({
      name: 'eventdesk_tap_pending_counts',
      help: 'Events counted by the tap and not yet written to PostgreSQL',
      registers: [registry],
      collect() {
        this.set(tapReading()?.pendingFlush ?? 0);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as unknown as { __eventdeskMetrics?: Metrics };

export function metrics(): Metrics {
  holder.__eventdeskMetrics ??= createMetrics();
  return holder.__eventdeskMetrics;
}
