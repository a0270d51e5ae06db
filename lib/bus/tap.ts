// The monitoring tap: a queue of EventDesk's own bound to the platform's exchange with `#`,
// counting every published event per type and minute. Nothing of the platform changes: the
// broker copies each message to this queue too.
//
// - One queue per exchange, shared by every EventDesk process running a tap (web server and
//   workers): the broker hands each event to one of them, so counts add up across processes
//   instead of doubling. It is auto-delete (gone when the last tap stops or disconnects),
//   non-durable, and carries x-max-length (drop-head) plus x-expires as a second guard, so a
//   stalled or stopped EventDesk never fills the broker.
// - Counting is exact: every delivery is counted once, in memory, by (minute, routing key).
//   Deliveries are acked in batches (`multiple`), which keeps broker flow control (prefetch)
//   while costing one ack frame per ~hundreds of messages.
// - Counts reach PostgreSQL as one multi-row upsert per flush (~1 s), never one write per event;
//   a failed flush keeps its counts and retries with the next one.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import pg from 'pg';
import { ReconnectingConnection } from './connection';
import { addPublishedCounts, purgeRollups, type MinuteCount, type SqlQuery } from './tap-rollups';
import { logger as rootLogger } from '@/lib/log';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { UNKNOWN_TYPE } from '@/lib/groups/signature';
import { ignoreClosing } from './ignore-closing';
import { cleanText } from './amqp-values';
import { isTransientStoreError, storeErrorText } from './store-errors';

export interface TapOptions {
  amqpUrl: string;
  exchange: string;
  databaseUrl: string;
  /** true: declare the topic exchange if missing (DECLARE_TOPOLOGY); false: check it passively */
  declareExchange?: boolean;
  /** unacked deliveries the broker may push ahead; also the flow-control window */
  prefetch?: number;
  /** bound of the tap queue (messages); older ones are dropped first when the tap stalls */
  maxLength?: number;
  flushIntervalMs?: number;
  /** rollup window; older minutes are purged */
  retentionDays?: number;
  /** distinct event types counted before the rest is lumped as "(other)": a guard against junk keys */
  maxEventTypes?: number;
  /** default `eventdesk.tap.<exchange>`: shared by all taps of one deployment */
  queueName?: string;
  /** false keeps the queue while no tap consumes (tests and the benchmark build backlogs so) */
  autoDelete?: boolean;
  logger?: Logger;
}

export type TapState = 'starting' | 'running' | 'paused' | 'disconnected' | 'stopped';

export interface TapStatus {
  state: TapState;
  queue: string;
  exchange: string;
  /** events counted since this process started, per event type */
  countedTotal: number;
  /** counts waiting for the next flush */
  pendingFlush: number;
  lastFlushAt: Date | null;
  lastError: string | null;
}

export const OTHER_TYPE = '(other)';
/** an event with no routing key: the same name the drain gives a dead letter with no type, so
 *  its published and dead-lettered counts meet in one series of event_minute_stats */
export const NO_TYPE = UNKNOWN_TYPE;

/** Arguments of the tap queue (also checked by tests). */
export function tapQueueArguments(maxLength: number): Record<string, unknown> {
  return {
    'x-max-length': maxLength,
    'x-overflow': 'drop-head',
    // If the connection somehow outlives its consumer, the queue still expires when unused
    // (long enough for a deliberate pause()).
    'x-expires': 30 * 60_000,
  };
}

export function defaultTapQueueName(exchange: string): string {
  return `eventdesk.tap.${exchange}`;
}

export class Tap {
  readonly queueName: string;
  /** cumulative counts per event type since start (exported as events_published_total) */
  readonly totals = new Map<string, number>();
  private readonly opts: Required<Omit<TapOptions, 'logger' | 'queueName'>>;
  private readonly log: Logger;
  private readonly connection: ReconnectingConnection;
  private readonly pool: pg.Pool;
  private readonly query: SqlQuery;
  /** minute -> type -> count, not yet flushed */
  private pending = new Map<number, Map<string, number>>();
  private pendingCount = 0;
  private countedTotal = 0;
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private lastDelivery: ConsumeMessage | null = null;
  private unacked = 0;
  private ackEvery: number;
  private state: TapState = 'starting';
  private paused = false;
  private lastFlushAt: Date | null = null;
  private lastError: string | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(options: TapOptions) {
    this.opts = {
      amqpUrl: options.amqpUrl,
      exchange: options.exchange,
      databaseUrl: options.databaseUrl,
      declareExchange: options.declareExchange ?? false,
      prefetch: options.prefetch ?? 2000,
      maxLength: options.maxLength ?? 100_000,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      retentionDays: options.retentionDays ?? 30,
      maxEventTypes: options.maxEventTypes ?? 500,
      autoDelete: options.autoDelete ?? true,
    };
    this.queueName = options.queueName ?? defaultTapQueueName(options.exchange);
    this.ackEvery = Math.max(1, Math.floor(this.opts.prefetch / 4));
    this.log = (options.logger ?? rootLogger).child({ component: 'tap', queue: this.queueName });
    // Its own small pool: the tap writes once a second and must never take the UI's connections.
    this.pool = new pg.Pool({ connectionString: this.opts.databaseUrl, max: 2, ...dbTimeouts(), application_name: 'eventdesk-tap' });
    guardPool(this.pool, (err) => this.log.warn({ err: err.message }, 'database connection failed'));
    this.query = async (sql, params) => (await this.pool.query(sql, params)).rows;
    this.connection = new ReconnectingConnection({ url: this.opts.amqpUrl, name: 'eventdesk-tap', logger: this.log });
    this.connection.on('disconnected', (reason) => {
      this.channel = null;
      this.consumerTag = null;
      this.lastDelivery = null;
      this.unacked = 0;
      if (this.state !== 'stopped') this.state = 'disconnected';
      this.lastError = reason ?? null;
    });
  }

  async start(): Promise<this> {
    await this.connection.onConnect((c) => this.setup(c));
    this.connection.start();
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    // Acks the tail of a quiet stream so the broker's window never waits on a partial batch.
    this.ackTimer = setInterval(() => this.ackPending(), 100);
    this.purgeTimer = setInterval(() => void this.purge(), 10 * 60_000);
    void this.purge();
    for (const t of [this.flushTimer, this.ackTimer, this.purgeTimer]) t.unref();
    return this;
  }

  /** Resolves once the tap queue is bound and consuming. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.channel || !this.consumerTag) {
      if (Date.now() > deadline) throw new Error(`tap not consuming within ${timeoutMs} ms: ${this.connection.lastError ?? this.lastError ?? 'connecting'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async setup(connection: ChannelModel): Promise<void> {
    const channel = await connection.createChannel();
    channel.on('error', (err: Error) => {
      this.lastError = err.message;
      this.log.warn({ err: err.message }, 'tap channel error');
    });
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = null;
        this.consumerTag = null;
        // A closed channel cannot recover on its own: drop the connection so setup runs again.
        if (this.state !== 'stopped') connection.close().catch(ignoreClosing);
      }
    });
    if (this.opts.declareExchange) await channel.assertExchange(this.opts.exchange, 'topic', { durable: true });
    else await channel.checkExchange(this.opts.exchange);
    await channel.assertQueue(this.queueName, {
      exclusive: false,
      autoDelete: this.opts.autoDelete,
      durable: false,
      arguments: tapQueueArguments(this.opts.maxLength),
    });
    await channel.bindQueue(this.queueName, this.opts.exchange, '#');
    await channel.prefetch(this.opts.prefetch);
    this.channel = channel;
    this.unacked = 0;
    this.lastDelivery = null;
    if (!this.paused) await this.consume();
    else this.state = 'paused';
    this.lastError = null;
  }

  private async consume(): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    const { consumerTag } = await channel.consume(this.queueName, (msg) => {
      if (msg) this.onMessage(msg);
      else this.onCancelled(channel);
    });
    this.consumerTag = consumerTag;
    this.state = 'running';
  }

  /**
   * The broker cancelled the consumer (the tap queue was deleted, or its node went away): start
   * over. Closing the channel drops the connection (see setup), and the reconnect declares the
   * queue and consumes again.
   */
  private onCancelled(channel: Channel): void {
    if (this.channel !== channel || this.state === 'stopped') return;
    this.log.warn('tap consumer cancelled by the broker; starting over');
    this.lastError = 'consumer cancelled by the broker';
    this.consumerTag = null;
    this.state = 'disconnected';
    channel.close().catch(() => {
      // already closing: make sure the connection goes, so that setup runs again
      this.connection.connection?.close().catch(ignoreClosing);
    });
  }

  private onMessage(msg: ConsumeMessage): void {
    this.count(msg.fields.routingKey, Date.now());
    this.lastDelivery = msg;
    if (++this.unacked >= this.ackEvery) this.ackPending();
  }

  /** Counts one event (exposed for the benchmark's pure-counting figure and for tests). */
  count(routingKey: string, atMs: number): void {
    const minute = Math.floor(atMs / 60_000);
    let byType = this.pending.get(minute);
    if (!byType) {
      byType = new Map();
      this.pending.set(minute, byType);
    }
    // as the drain stores a routing key: PostgreSQL text holds no NUL (one such key failed every
    // flush, and the counts behind it piled up until a restart threw them away)
    let type = cleanText(routingKey) || NO_TYPE;
    if (!this.totals.has(type) && this.totals.size >= this.opts.maxEventTypes) type = OTHER_TYPE;
    byType.set(type, (byType.get(type) ?? 0) + 1);
    this.totals.set(type, (this.totals.get(type) ?? 0) + 1);
    this.pendingCount++;
    this.countedTotal++;
  }

  private ackPending(): void {
    const msg = this.lastDelivery;
    if (!msg || !this.channel || this.unacked === 0) return;
    try {
      this.channel.ack(msg, true);
    } catch (err) {
      // The channel closed under us; its unacked deliveries go back to the queue.
      this.lastError = (err as Error).message;
    }
    this.unacked = 0;
    this.lastDelivery = null;
  }

  /** Writes the pending counts; concurrent calls share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    if (this.pendingCount === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    const rows: MinuteCount[] = [];
    for (const [minute, byType] of batch) for (const [eventType, count] of byType) rows.push({ minute, eventType, count });
    try {
      await addPublishedCounts(this.query, rows);
      this.lastFlushAt = new Date();
    } catch (err) {
      if (!isTransientStoreError(err)) {
        // refused for its data: written row by row, a row refused again dropped (logged), so one
        // bad value never holds the others back on every flush
        await this.flushRowByRow(rows, err);
        return;
      }
      // Keep the counts: they go out with the next flush.
      this.requeue(rows);
      this.lastError = (err as Error).message;
      this.log.warn({ err: this.lastError, pending: this.pendingCount }, 'tap flush failed; retrying with the next flush');
    }
  }

  /** Counts that did not go out, back for the next flush. */
  private requeue(rows: MinuteCount[]): void {
    for (const r of rows) {
      let byType = this.pending.get(r.minute);
      if (!byType) this.pending.set(r.minute, (byType = new Map()));
      byType.set(r.eventType, (byType.get(r.eventType) ?? 0) + r.count);
      this.pendingCount += r.count;
    }
  }

  private async flushRowByRow(rows: MinuteCount[], first: unknown): Promise<void> {
    this.log.warn({ err: storeErrorText(first), rows: rows.length }, 'tap flush refused for its data; writing its rows one at a time');
    const keep: MinuteCount[] = [];
    for (const r of rows) {
      try {
        await addPublishedCounts(this.query, [r]);
      } catch (err) {
        if (isTransientStoreError(err)) keep.push(r);
        else {
          this.lastError = `counts dropped: ${storeErrorText(err)}`;
          this.log.error({ err: storeErrorText(err), eventType: r.eventType, minute: r.minute, count: r.count }, 'tap counts refused by the database: dropped');
        }
      }
    }
    this.requeue(keep);
    if (keep.length < rows.length) this.lastFlushAt = new Date();
  }

  private async purge(): Promise<void> {
    try {
      const n = await purgeRollups(this.query, this.opts.retentionDays);
      if (n) this.log.info({ rows: n, windowDays: this.opts.retentionDays }, 'purged old rollups');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'rollup purge failed');
    }
  }

  /** Depth and consumers of the tap queue. */
  async inspectQueue(): Promise<{ messages: number; consumers: number }> {
    const connection = this.connection.connection;
    if (!connection) throw new Error('tap not connected');
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      const q = await channel.checkQueue(this.queueName);
      return { messages: q.messageCount, consumers: q.consumerCount };
    } finally {
      await channel.close().catch(ignoreClosing);
    }
  }

  /** Stops consuming; with autoDelete: false the queue stays (bounded by x-max-length) until resume(). */
  async pause(): Promise<void> {
    this.paused = true;
    if (this.channel && this.consumerTag) {
      this.ackPending();
      await this.channel.cancel(this.consumerTag);
      this.consumerTag = null;
    }
    this.state = 'paused';
  }

  async resume(): Promise<void> {
    this.paused = false;
    if (this.channel && !this.consumerTag) await this.consume();
  }

  /** Stops consuming, writes what was counted, closes the connection (the last tap's queue goes). */
  async stop(): Promise<void> {
    this.state = 'stopped';
    for (const t of [this.flushTimer, this.ackTimer, this.purgeTimer]) if (t) clearInterval(t);
    this.ackPending();
    await this.connection.close();
    this.channel = null;
    await this.flush(); // may only join a write already under way...
    await this.flush(); // ...so write again whatever that one did not take
    await this.pool.end().catch(ignoreClosing);
  }

  status(): TapStatus {
    return {
      state: this.state,
      queue: this.queueName,
      exchange: this.opts.exchange,
      countedTotal: this.countedTotal,
      pendingFlush: this.pendingCount,
      lastFlushAt: this.lastFlushAt,
      lastError: this.lastError ?? this.connection.lastError,
    };
  }
}
