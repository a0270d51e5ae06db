// The spec's Prometheus metrics (prom-client), labelled by event_type and service. Kept on
// globalThis per registry: a module loaded twice must not register a metric twice.
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

export interface PlatformMetrics {
  registry: Registry;
  published: Counter<'event_type' | 'service'>;
  consumed: Counter<'event_type' | 'service'>;
  duration: Histogram<'event_type' | 'service'>;
  errors: Counter<'event_type' | 'service'>;
  /** messages this process sent to the DLQ (rejected into it); the broker's own depth is EventDesk's job */
  deadLettered: Gauge<'event_type' | 'service'>;
}

const store = globalThis as unknown as {
  __platformMetricsRegistry?: Registry;
  __platformMetrics?: WeakMap<Registry, PlatformMetrics>;
};

/** The library's own registry when the caller brings none (never prom-client's global one). */
export function defaultPlatformRegistry(): Registry {
  return (store.__platformMetricsRegistry ??= new Registry());
}

const LABELS = ['event_type', 'service'] as const;

function existing<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function platformMetrics(registry: Registry = defaultPlatformRegistry()): PlatformMetrics {
  const cache = (store.__platformMetrics ??= new WeakMap());
  let m = cache.get(registry);
  if (m) return m;
  const registers = [registry];
  m = {
    registry,
    published: existing(
      registry,
      'events_published_total',
      () => new Counter({ name: 'events_published_total', help: 'Events published', labelNames: LABELS, registers }),
    ),
    consumed: existing(
      registry,
      'events_consumed_total',
      () => new Counter({ name: 'events_consumed_total', help: 'Events handled successfully', labelNames: LABELS, registers }),
    ),
    duration: existing(
      registry,
      'event_processing_duration_seconds',
      () =>
        new Histogram({
          name: 'event_processing_duration_seconds',
          help: 'Handler run time, successful or not',
          labelNames: LABELS,
          buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
    errors: existing(
      registry,
      'event_processing_errors_total',
      () => new Counter({ name: 'event_processing_errors_total', help: 'Failed handler runs and rejected messages', labelNames: LABELS, registers }),
    ),
    deadLettered: existing(
      registry,
      'dlq_message_count',
      () => new Gauge({ name: 'dlq_message_count', help: 'Messages this process sent to the dead-letter queue', labelNames: LABELS, registers }),
    ),
  };
  cache.set(registry, m);
  return m;
}
