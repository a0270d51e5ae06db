// Every setting EventDesk reads, parsed once with zod, each with its default (README, Configuration).
// Core logic takes its settings as arguments; only entry points (server, worker, scripts) call env().
import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(min).max(max);

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `expected a ${protocols.join(' or ')}// URL`,
  );

export const DEFAULT_DLQ = 'edu.events.dlq';

/**
 * DLQ_QUEUE: one queue name or several, comma-separated; each trimmed, none empty or repeated, each
 * a name a queue can have (1-255 bytes of UTF-8, not amq.*, which the broker reserves).
 */
export function parseDlqList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => !n)) throw new Error('expected queue names separated by commas, none empty');
  for (const n of names) {
    if (Buffer.byteLength(n, 'utf8') > 255) throw new Error(`"${n.slice(0, 40)}…" is longer than 255 bytes`);
    if (n.startsWith('amq.')) throw new Error(`"${n}": names starting with amq. are reserved by the broker`);
    if (/[\u0000-\u001f\u007f]/.test(n)) throw new Error(`"${n}" holds a control character`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new Error(`"${repeated}" is listed twice`);
  return names;
}

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const envSchema = z.object({
  PORT: int(1, 65535).default(3000),
  DATABASE_URL: url(['postgresql:', 'postgres:']).default('postgresql://postgres@127.0.0.1:5432/eventdesk'),
  AMQP_URL: url(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  EVENTS_EXCHANGE: z.string().min(1).default('edu.events'),
  /** the DLQs to drain (comma-separated, e.g. one per service); the first is the default DLQ */
  DLQ_QUEUE: z
    .string()
    .default(DEFAULT_DLQ)
    .transform((v, ctx) => {
      try {
        return parseDlqList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  DECLARE_TOPOLOGY: bool.default(false),
  /** the type DECLARE_TOPOLOGY declares a missing DLQ with; an existing DLQ keeps its own */
  DLQ_QUEUE_TYPE: z.enum(['classic', 'quorum'], { message: 'expected classic or quorum' }).default('classic'),
  DRAIN: bool.default(true),
  TAP: bool.default(true),
  RETENTION_DAYS: int(1, 3650).default(7),
  MAX_RETRIES: int(0, 1000).default(3),
  /** EventDesk's own queue holding a copy of each republish until it is settled (crash recovery);
   *  default eventdesk.republish.ledger.<database name>, one per EventDesk database. */
  REPUBLISH_LEDGER_QUEUE: optional(z.string().min(1).max(255)),
  /** Messages the drainer holds unacked at once, and rows it writes per transaction. */
  DRAIN_PREFETCH: int(1, 65535).default(2000),
  DRAIN_BATCH_SIZE: int(1, 10000).default(500),
  NEXTAUTH_URL: optional(url(['http:', 'https:'])),
  NEXTAUTH_SECRET: optional(z.string().min(16, 'expected at least 16 characters')),
  // local@host, a host without a dot included: the documented default, admin@localhost, set
  // explicitly was refused by a stricter email check (every request a 500 under `next start`)
  ADMIN_EMAIL: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address')
    .default('admin@localhost'),
  ADMIN_PASSWORD: optional(z.string().min(8, 'expected at least 8 characters')),
  OIDC_ISSUER: optional(url(['http:', 'https:'])),
  OIDC_CLIENT_ID: optional(z.string()),
  OIDC_CLIENT_SECRET: optional(z.string()),
  MASK_FIELDS: z
    .string()
    .default('email,paymentId')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  METRICS_TOKEN: optional(z.string().min(8)),
  JAEGER_URL: optional(url(['http:', 'https:'])),
  /** Prometheus endpoints of the platform's services (comma-separated): p95 processing time per event type */
  PLATFORM_METRICS_URLS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(url(['http:', 'https:']))),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(url(['http:', 'https:'])),
  /** Which X-Forwarded-For entries to believe for the client's address (lib/trust-proxy.ts). */
  TRUST_PROXY: z
    .string()
    .default('none')
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Notifications (issue 16): run the sender (fan-out + delivery) in this process */
  NOTIFY: bool.default(true),
  /** first retry after this many ms; doubling (with jitter) up to NOTIFY_BACKOFF_MAX_MS */
  NOTIFY_BACKOFF_BASE_MS: int(100, 3_600_000).default(5000),
  NOTIFY_BACKOFF_MAX_MS: int(100, 3_600_000).default(300_000),
  /** one attempt's deadline (connect + answer) */
  NOTIFY_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** a delivery not delivered this long after it was created is given up (status failed) */
  NOTIFY_GIVE_UP_HOURS: int(1, 720).default(24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'EnvError';
  }
}

/** Parses a set of variables; throws EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  }
  const parsed = result.data;
  parsed.NEXTAUTH_URL ??= `http://localhost:${parsed.PORT}`;
  return parsed;
}

const cache = globalThis as unknown as { __eventdeskEnv?: Env };

/** The process's settings, parsed on first use. */
export function env(): Env {
  cache.__eventdeskEnv ??= parseEnv(process.env);
  return cache.__eventdeskEnv;
}

/** For command-line entry points: the settings, or a message naming each bad variable and exit 1. */
export function envOrExit(): Env {
  try {
    return env();
  } catch (err) {
    console.error(err instanceof EnvError ? err.message : err);
    process.exit(1);
  }
}
