// The lossless drain: consumes the DLQ with manual ack and a bounded prefetch, writes what arrived
// in batches (one transaction each), and acks a batch only after its COMMIT. A crash before the
// commit loses nothing (the broker requeues unacked messages); a crash between commit and ack
// stores nothing twice (the redelivery's fingerprint is already there). A failing database keeps
// the batch unacked and is retried with backoff; a dead channel drops its buffered deliveries
// (the broker requeues them) and the consumer comes back with the connection. The drain stores
// each message raw (rawDeadLetter: bytes, properties, headers, fingerprint); the reading and the
// records are the derivation's, after commit (lib/bus/deriver.ts). A message whose headers cannot
// be encoded, or that the database refuses for its data (MAX_TRIES times, found by splitting the
// batch), is parked (lib/bus/park.ts) and counts as done: the drain goes on with the next one.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import pg from 'pg';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { backoffDelay, sleep } from '@/lib/backoff';
import { ReconnectingConnection } from './connection';
import { checkDlq, declareTopology, DlqMissingError, type DlqQueueType } from './dlq-topology';
import { initialDrainStatus, type DrainStatus } from './drain-status';
import { prepareDeadLetter, rawDeadLetter } from './prepare-dead-letter';
import type { InboxDeath } from './inbox-row';
import { ParkingLot } from './park';
import { storeBatch } from './store-batch';
import { DERIVE_AT_STOP_MS, Deriver } from './deriver';
import { DERIVATION } from './derive-dead-letters';
import { forgetAttempt } from './derivation-attempts';
import { dbTimeouts, guardPool } from '@/lib/db/guard-pool';
import { ignoreClosing } from './ignore-closing';
import { withTimeout } from './within';

/** Longest wait for the DLQ's depth before a tick gives up (the check goes on; no new one starts meanwhile). */
const DEPTH_CHECK_TIMEOUT_MS = 10_000;

export interface DrainerOptions {
  amqpUrl: string;
  queue: string;
  /** the events exchange, declared with the DLQ when declareTopology is set */
  exchange?: string;
  /** a pool to write with; else one of `poolSize` connections is made from databaseUrl */
  pool?: pg.Pool;
  databaseUrl?: string;
  poolSize?: number;
  prefetch?: number;
  batchSize?: number;
  /** how long a lone message waits for company before it is written */
  lingerMs?: number;
  /**
   * Batches written at once, each in its own transaction on its own connection (default 3): the
   * next batch is written while the previous one commits. Acks still go strictly in order.
   */
  writers?: number;
  /**
   * Bytes of bodies held unacked (buffered or being written) before the drainer stops taking
   * more (default 64 MiB). It also sizes the prefetch: with 5 MB messages a prefetch of 2000
   * would hold 10 GB, so the drainer subscribes with a small probe prefetch, learns the message
   * size and re-subscribes with min(prefetch, maxHeldBytes / average size).
   */
  maxHeldBytes?: number;
  declareTopology?: boolean;
  /** the type declareTopology gives a missing DLQ (DLQ_QUEUE_TYPE, default classic) */
  dlqQueueType?: DlqQueueType;
  logger?: Logger;
  /** shown in `rabbitmqctl list_connections name client_properties` */
  connectionName?: string;
  depthIntervalMs?: number;
  missingQueueRetryMs?: number;
  /** called after each batch that derived something is committed (the search indexer's kick) */
  onStored?: () => void;
  /**
   * Who derives the records from what this drainer stores (issue 20): by default a Deriver of its
   * own on its pool; a shared one (several DLQs in one process: lib/runtime/start-drain.ts), which
   * the drainer only kicks; or null: none here (another process derives).
   */
  deriver?: Deriver | null;
  /** where unreadable messages go; default eventdesk.parked.<queue> */
  parkQueue?: string;
}

interface Session {
  channel: Channel;
  alive: boolean;
  consumerTag: string | null;
}

interface Delivery {
  msg: ConsumeMessage;
  session: Session;
  /** what the drain reads of it: its fingerprint (the derivation reads the rest) */
  death: InboxDeath;
}

export class Drainer {
  readonly connectionName: string;
  private readonly conn: ReconnectingConnection;
  private readonly parking: ParkingLot;
  private readonly pool: pg.Pool;
  private readonly ownPool: boolean;
  private readonly deriver: Deriver | null;
  private readonly ownDeriver: boolean;
  private readonly log: Logger;
  private readonly prefetch: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private session: Session | null = null;
  private lastConnection: ChannelModel | null = null;
  private buffer: Delivery[] = [];
  /** batches being written, oldest first; acked strictly in this order */
  private inFlight: { batch: Delivery[]; done: boolean; committed: boolean; promise: Promise<void> }[] = [];
  /**
   * Deliveries of dead channels still being written, by fingerprint: a redelivered copy of one
   * that arrives marks it (copyRedelivered), so that its write, should it commit after the copy's,
   * takes the copy for itself and not for an identical new death.
   */
  private orphans = new Map<string, InboxDeath[]>();
  /** set when a batch was given up uncommitted on a live channel (stop timeout): no more acks */
  private ackBlocked = false;
  private readonly writers: number;
  private readonly maxHeldBytes: number;
  private heldBytes = 0;
  /** highest heldBytes seen (tests, diagnostics) */
  peakHeldBytes = 0;
  private avgSize = 0;
  private consumerPrefetch = 0;
  private adjusting: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private depthTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private started = false;
  private stopping = false;
  private stopped = false;
  private paused = false;
  private dbError: string | null = null;
  private readonly stats = initialDrainStatus();
  private summary = { stored: 0, duplicates: 0, batches: 0, since: Date.now() };

  constructor(private readonly options: DrainerOptions) {
    this.prefetch = options.prefetch ?? 2000;
    this.batchSize = options.batchSize ?? 500;
    this.lingerMs = options.lingerMs ?? 25;
    this.writers = Math.max(1, options.writers ?? 3);
    this.maxHeldBytes = options.maxHeldBytes ?? 64 * 1024 * 1024;
    this.connectionName = options.connectionName ?? `eventdesk-drain:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = (options.logger ?? rootLogger).child({ component: 'drain', queue: options.queue });
    this.stats.queue = options.queue;
    if (options.pool) {
      this.pool = options.pool;
      this.ownPool = false;
    } else {
      if (!options.databaseUrl) throw new Error('Drainer needs a pool or a databaseUrl');
      this.pool = new pg.Pool({
        connectionString: options.databaseUrl,
        // the writers, the deriver and its read-ahead (lib/bus/read-inbox.ts)
        max: options.poolSize ?? this.writers + 2,
        // the same timeouts as the server's drain pool (lib/runtime/start-drain.ts)
        ...dbTimeouts({ lockMs: 30_000 }),
        application_name: 'eventdesk-drain',
      });
      this.ownPool = true;
    }
    if (options.deriver === undefined) {
      this.deriver = new Deriver(this.pool, this.log, { onDerived: options.onStored });
      this.ownDeriver = true;
    } else {
      this.deriver = options.deriver;
      this.ownDeriver = false;
    }
    this.deriver?.yieldTo(() => this.busy());
    // An idle client whose backend was terminated emits here; the pool drops it by itself.
    guardPool(this.pool, (err) => this.log.warn({ err: err.message }, 'database connection lost'));
    this.conn = new ReconnectingConnection({ url: options.amqpUrl, name: this.connectionName, logger: this.log });
    this.parking = new ParkingLot(options.queue, options.amqpUrl, this.log, options.parkQueue);
  }

  /** the queue parked messages are published to */
  get parkQueue(): string {
    return this.parking.queue;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.conn.onConnect((c) => this.attach(c));
    this.conn.on('disconnected', () => this.dropSession());
    this.conn.start();
    if (this.ownDeriver) this.deriver?.start();
    this.depthTimer = setInterval(() => void this.refreshDepth(), this.options.depthIntervalMs ?? 5000);
    this.depthTimer.unref();
  }

  /** the DLQ depth check in progress (refreshDepth) */
  private depthCheck: Promise<{ messageCount: number; consumerCount: number }> | null = null;

  /**
   * The broker is waiting on the database: the deliveries held (received, not yet acked) fill at
   * least half the consumer's prefetch. The deriver yields to the drain meanwhile.
   */
  busy(): boolean {
    if (!this.consumerPrefetch || this.paused || this.stopped) return false;
    let held = this.buffer.length;
    for (const slot of this.inFlight) held += slot.batch.length;
    return held * 2 >= this.consumerPrefetch;
  }

  status(): DrainStatus {
    const s = this.stats;
    s.brokerConnected = this.conn.connected;
    s.databaseOk = this.dbError === null;
    if (this.stopped || !this.started) s.state = 'stopped';
    else if (this.paused) s.state = 'paused';
    else if (this.dbError || s.dlqMissing || !this.conn.connected || !this.session?.alive) s.state = 'error';
    else s.state = 'running';
    s.lastError =
      this.dbError ??
      (s.dlqMissing ? `DLQ not found: is DECLARE_TOPOLOGY needed? (queue "${this.options.queue}")` : null) ??
      (this.conn.connected ? null : this.conn.lastError ? `broker: ${this.conn.lastError}` : null);
    return { ...s };
  }

  /** Stops consuming (messages stay in the DLQ) until resume(). */
  async pause(): Promise<void> {
    this.paused = true;
    await this.adjusting;
    const s = this.session;
    if (s?.alive && s.consumerTag) {
      await s.channel.cancel(s.consumerTag).catch(ignoreClosing);
      s.consumerTag = null;
    }
  }

  async resume(): Promise<void> {
    this.paused = false;
    await this.adjustConsumer();
  }

  /** Graceful: stop receiving, write and ack everything received, then close. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    for (const t of [this.depthTimer, this.retryTimer]) if (t) clearTimeout(t);
    await this.adjusting;
    const s = this.session;
    if (s?.alive && s.consumerTag) await s.channel.cancel(s.consumerTag).catch(ignoreClosing);
    const deadline = setTimeout(() => this.abort.abort(), timeoutMs);
    try {
      await this.drainBuffer();
    } finally {
      clearTimeout(deadline);
    }
    this.abort.abort();
    if (this.ownDeriver && this.deriver) {
      await this.deriver.stop();
      // what this drainer stored is derived before it goes (bounded: another process or the next
      // start derives whatever is left)
      await withTimeout(this.deriver.deriveAll(Date.now() + DERIVE_AT_STOP_MS), 10_000, 'deriving what was stored').catch((err: Error) =>
        this.log.warn({ err: err.message }, 'derivation not finished at stop; it resumes with the next start'),
      );
      // a batch of this process still standing is not a death (it ended, or ends with the pool)
      await forgetAttempt(this.pool, DERIVATION);
    }
    this.logSummary(true);
    this.stopped = true;
    if (s?.alive) await s.channel.close().catch(ignoreClosing);
    await this.conn.close();
    await this.parking.close();
    if (this.ownPool) await this.pool.end().catch(ignoreClosing);
    this.log.info('drain stopped');
  }

  // --- broker side ---------------------------------------------------------------------------

  private async attach(connection: ChannelModel): Promise<void> {
    if (this.stopping) return;
    if (connection !== this.lastConnection) {
      this.lastConnection = connection;
      this.stats.connections++;
    }
    if (this.options.declareTopology) {
      await declareTopology(connection, this.options.exchange ?? 'edu.events', this.options.queue, this.options.dlqQueueType);
    }
    try {
      const info = await checkDlq(connection, this.options.queue);
      this.stats.dlqMissing = false;
      this.stats.dlqDepth = info.messageCount;
      this.stats.dlqConsumers = info.consumerCount;
    } catch (err) {
      if (!(err instanceof DlqMissingError)) throw err;
      if (!this.stats.dlqMissing) this.log.error(err.message);
      this.stats.dlqMissing = true;
      this.stats.dlqDepth = null;
      this.retryAttach(connection);
      return;
    }
    const channel = await connection.createChannel();
    const session: Session = { channel, alive: true, consumerTag: null };
    this.session = session;
    channel.on('error', (err: Error) => this.log.warn({ err: err.message }, 'drain channel error'));
    channel.on('close', () => {
      this.dropSession(session);
      // The connection may still be up (e.g. the queue was deleted): come back on it.
      if (this.conn.connection === connection) this.retryAttach(connection);
    });
    // A small probe until the message size is known (see maxHeldBytes).
    this.consumerPrefetch = this.avgSize ? this.desiredPrefetch() : Math.min(this.prefetch, 16);
    await channel.prefetch(this.consumerPrefetch);
    if (!this.paused) await this.consume(session);
    this.log.info({ prefetch: this.consumerPrefetch, batchSize: this.batchSize }, 'draining');
  }

  private retryAttach(connection: ChannelModel): void {
    if (this.stopping) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopping || this.conn.connection !== connection) return;
      this.attach(connection).catch((err) => {
        this.log.warn({ err: (err as Error).message }, 'cannot attach to the DLQ; retrying');
        this.retryAttach(connection);
      });
    }, this.options.missingQueueRetryMs ?? 5000);
    this.retryTimer.unref();
  }

  private async consume(session: Session): Promise<void> {
    const { consumerTag } = await session.channel.consume(
      this.options.queue,
      (msg) => {
        if (!msg) {
          // The broker cancelled us (queue deleted): closing requeues what we hold.
          this.log.warn('consumer cancelled by the broker');
          void session.channel.close().catch(ignoreClosing);
          return;
        }
        this.receive(msg, session);
      },
      { noAck: false },
    );
    session.consumerTag = consumerTag;
  }

  private desiredPrefetch(): number {
    return Math.max(1, Math.min(this.prefetch, Math.floor(this.maxHeldBytes / Math.max(this.avgSize, 1))));
  }

  /**
   * Keeps what is held unacked within maxHeldBytes: stops consuming above it, resumes below half
   * of it, and re-subscribes when the prefetch the message size calls for is 2x off the current
   * one (a new basic.qos only applies to consumers started after it).
   */
  private adjustConsumer(): Promise<void> {
    if (this.adjusting) return this.adjusting;
    const s = this.session;
    if (!s?.alive || this.stopping || this.paused) return Promise.resolve();
    const have = s.consumerTag ? this.consumerPrefetch : 0;
    const desired = this.desiredPrefetch();
    let want = desired;
    if (this.heldBytes > this.maxHeldBytes) want = 0;
    else if (!have && this.heldBytes > this.maxHeldBytes / 2) want = 0;
    if (want === have || (want && have && want < have * 2 && want * 2 > have)) return Promise.resolve();
    this.adjusting = (async () => {
      try {
        if (s.consumerTag) {
          const tag = s.consumerTag;
          s.consumerTag = null;
          await s.channel.cancel(tag);
        }
        if (want && s.alive && !this.stopping && !this.paused) {
          await s.channel.prefetch(want);
          this.consumerPrefetch = want;
          await this.consume(s);
        }
        this.log.debug({ prefetch: want, heldBytes: this.heldBytes, avgSize: Math.round(this.avgSize) }, 'consumer adjusted');
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'cannot adjust the consumer');
      } finally {
        this.adjusting = null;
        // what was held may have changed meanwhile (e.g. the last batch committed): look again
        setImmediate(() => void this.adjustConsumer());
      }
    })();
    return this.adjusting;
  }

  private dropSession(session: Session | null = this.session): void {
    if (!session) return;
    session.alive = false;
    // Batches of this channel being written may still commit, after their redelivered copies'
    for (const slot of this.inFlight) {
      if (slot.done) continue;
      for (const d of slot.batch)
        if (d.session === session && !d.death.done) this.orphans.set(d.death.fingerprint, [...(this.orphans.get(d.death.fingerprint) ?? []), d.death]);
    }
    // What this channel delivered and we have not acked goes back to the queue by itself.
    const kept = this.buffer.filter((d) => d.session !== session);
    for (const d of this.buffer) if (d.session === session) this.heldBytes -= d.msg.content.length;
    this.buffer = kept;
    if (this.session === session) this.session = null;
  }

  private receive(msg: ConsumeMessage, session: Session): void {
    // never throws: what it cannot read comes back marked unreadable, and is parked
    const death = rawDeadLetter(msg);
    if (death.redelivered && this.orphans.size) for (const orphan of this.orphans.get(death.fingerprint) ?? []) orphan.copyRedelivered = true;
    this.buffer.push({ msg, session, death });
    const size = msg.content.length;
    this.heldBytes += size;
    if (this.heldBytes > this.peakHeldBytes) this.peakHeldBytes = this.heldBytes;
    this.avgSize = this.avgSize ? this.avgSize * 0.95 + size * 0.05 : Math.max(size, 1);
    if (this.heldBytes > this.maxHeldBytes || this.consumerPrefetch > this.desiredPrefetch() * 2) void this.adjustConsumer();
    if (this.inFlight.length >= this.writers) return; // a finishing batch picks these up
    if (this.buffer.length >= this.batchSize) this.pump();
    else if (!this.lingerTimer) this.lingerTimer = setTimeout(() => this.pump(), this.lingerMs);
  }

  // --- database side -------------------------------------------------------------------------

  /** Starts batches while writers are free; batches form from what arrived meanwhile. */
  private pump(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    while (this.buffer.length && this.inFlight.length < this.writers) {
      const batch = this.buffer.splice(0, this.batchSize);
      const slot = { batch, done: false, committed: false, promise: Promise.resolve() };
      slot.promise = this.writeWithRetry(batch).then((committed) => {
        slot.done = true;
        slot.committed = committed;
        if (this.orphans.size) this.forgetOrphans(batch);
        for (const d of batch) this.heldBytes -= d.msg.content.length;
        this.ackCompleted();
        this.pump();
        void this.adjustConsumer();
      });
      this.inFlight.push(slot);
    }
  }

  /** A finished batch's deliveries are no longer written: a later copy has nothing to mark. */
  private forgetOrphans(batch: Delivery[]): void {
    for (const d of batch) {
      const list = this.orphans.get(d.death.fingerprint);
      if (!list) continue;
      const rest = list.filter((o) => o !== d.death);
      if (rest.length) this.orphans.set(d.death.fingerprint, rest);
      else this.orphans.delete(d.death.fingerprint);
    }
  }

  /**
   * Acks committed batches from the oldest on. A batch committed before an older one waits:
   * its multiple=true ack would otherwise cover the older batch's uncommitted deliveries.
   */
  private ackCompleted(): void {
    while (this.inFlight[0]?.done) {
      const slot = this.inFlight.shift()!;
      if (slot.committed) this.ack(slot.batch);
      // Deliveries of a dead channel are requeued by the broker and later tags are another
      // channel's; but an uncommitted batch on a live channel must never be covered by a later ack.
      else if (slot.batch.some((d) => d.session.alive)) this.ackBlocked = true;
    }
  }

  /** Writes and acks everything received (stop). */
  private async drainBuffer(): Promise<void> {
    for (;;) {
      this.pump();
      // only batches still being written: a finished one waiting for an older one to commit
      // would resolve the race at once, forever (a microtask loop that starves the I/O it waits on)
      const writing = this.inFlight.filter((s) => !s.done);
      if (!writing.length) return;
      await Promise.race(writing.map((s) => s.promise));
    }
  }

  /**
   * true once every delivery is stored or parked; false when given up (its channel died, or stop
   * timed out). Deliveries already stored or parked by an earlier try are not written again.
   */
  private async writeWithRetry(batch: Delivery[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!batch.some((d) => d.session.alive) || this.abort.signal.aborted) return false;
      const todo = batch.filter((d) => d.session.alive && !d.death.done);
      if (!todo.length) return true;
      try {
        const result = await storeBatch(
          this.pool,
          todo.map((d) => d.death),
          this.log,
          this.options.queue,
        );
        this.dbError = null;
        this.stats.drainedTotal += result.stored;
        this.stats.duplicatesSkipped += result.duplicates;
        if (result.stored) {
          this.stats.lastDrainedAt = new Date().toISOString();
          this.deriver?.noteStored(result.stored);
        }
        this.summary.stored += result.stored;
        this.summary.duplicates += result.duplicates;
        this.summary.batches++;
        this.log.debug({ size: todo.length, stored: result.stored, duplicates: result.duplicates, unstorable: result.unstorable.length }, 'batch committed');
        if (this.log.isLevelEnabled('debug')) {
          for (const d of todo) {
            if (d.death.done) this.log.debug({ fingerprint: d.death.fingerprint, messageId: d.msg.properties?.messageId }, 'dead letter stored');
          }
        }
        if (result.unstorable.length) await this.parkAll(todo, result.unstorable);
        this.logSummary(false);
        return true;
      } catch (err) {
        const message = (err as Error).message;
        this.dbError = message.startsWith('parking') ? message : `database: ${message}`;
        const delay = backoffDelay(attempt, 200, 15_000);
        this.log.warn(
          { err: message, code: (err as { code?: string }).code, attempt, retryInMs: delay, size: todo.length },
          'cannot store a batch; it stays unacked and is retried',
        );
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** Parks each unstorable delivery; throws (batch stays unacked) if one cannot be parked now. */
  private async parkAll(todo: Delivery[], unstorable: { death: InboxDeath; reason: string }[]): Promise<void> {
    const byDeath = new Map(todo.map((d) => [d.death, d]));
    for (const u of unstorable) {
      const delivery = byDeath.get(u.death);
      if (!delivery || u.death.done) continue;
      // the parked record is built from the whole reading (an unreadable delivery's is its bytes only)
      const death = 'eventKey' in u.death ? u.death : prepareDeadLetter(delivery.msg);
      let recordId: string | null;
      try {
        ({ recordId } = await this.parking.park(this.pool, delivery.msg, death, u.reason));
      } catch (err) {
        // not parked: the batch stays unacked and this is tried again with the batch
        throw Object.assign(new Error(`parking a message failed: ${(err as Error).message}`), { code: (err as { code?: string }).code });
      }
      u.death.done = true;
      this.stats.parkedTotal++;
      this.log.error(
        { recordId, parkQueue: this.parking.queue, reason: u.reason, messageId: delivery.msg.properties?.messageId, bodySha256: death.bodySha256 },
        'message parked: it could not be read or stored',
      );
    }
  }

  /** Acks each channel's highest delivery tag with multiple=true: every earlier tag is committed too. */
  private ack(batch: Delivery[]): void {
    if (this.ackBlocked) return;
    const last = new Map<Session, ConsumeMessage>();
    for (const d of batch) last.set(d.session, d.msg);
    for (const [session, msg] of last) {
      if (!session.alive) continue;
      try {
        session.channel.ack(msg, true);
      } catch (err) {
        // The channel died after the commit: the broker redelivers, the fingerprint dedupes.
        this.log.warn({ err: (err as Error).message }, 'ack failed after commit; redelivery will be deduplicated');
      }
    }
  }

  private logSummary(force: boolean): void {
    const s = this.summary;
    const elapsed = Date.now() - s.since;
    if (!force && elapsed < 5000) return;
    if (s.batches) {
      this.log.info(
        { stored: s.stored, duplicates: s.duplicates, batches: s.batches, perSecond: Math.round((s.stored * 1000) / Math.max(1, elapsed)) },
        'drained',
      );
    }
    this.summary = { stored: 0, duplicates: 0, batches: 0, since: Date.now() };
  }

  private async refreshDepth(): Promise<void> {
    const connection = this.conn.connection;
    if (!connection || this.stopping) return;
    try {
      // one check at a time: a broker slow to answer (a queue process busy with a huge backlog)
      // would otherwise get another channel every tick, until the connection ran out of them
      // (every wait of the check is bounded: it always ends, and the next tick checks again)
      this.depthCheck ??= checkDlq(connection, this.options.queue, DEPTH_CHECK_TIMEOUT_MS).finally(() => (this.depthCheck = null));
      const info = await withTimeout(this.depthCheck, DEPTH_CHECK_TIMEOUT_MS, 'checking the DLQ depth');
      this.stats.dlqDepth = info.messageCount;
      this.stats.dlqConsumers = info.consumerCount;
      this.stats.dlqMissing = false;
    } catch (err) {
      if (err instanceof DlqMissingError) {
        this.stats.dlqMissing = true;
        this.stats.dlqDepth = null;
      }
    }
  }
}
