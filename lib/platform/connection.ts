// The broker connection the platform library works with: an amqplib connection, or one that
// comes back by itself. `ReconnectingConnection` below is the library's own (a service using the
// library needs nothing else); any object with the same `onConnect` / `waitConnected` (such as the
// console's lib/bus/connection.ts) works as well, so the library imports nothing of the console.
import { EventEmitter } from 'node:events';
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { platformLogger } from './logger';

/** A connection that runs `setup` on every (re)connect and can be waited for. */
export interface Reconnecting {
  onConnect(setup: (connection: ChannelModel) => Promise<void>): Promise<void>;
  waitConnected(timeoutMs?: number): Promise<ChannelModel>;
}

export type PlatformConnection = ChannelModel | Reconnecting;

export function isReconnecting(c: PlatformConnection): c is Reconnecting {
  return typeof (c as Reconnecting).onConnect === 'function' && typeof (c as Reconnecting).waitConnected === 'function';
}

export interface ReconnectingConnectionOptions {
  url: string;
  /** shown in the broker's connection list */
  name: string;
  logger?: Logger;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** one connect (TCP + AMQP handshake) and then the setups may take this long; default 10 s */
  connectTimeoutMs?: number;
}

/** Exponential backoff with equal jitter: never less than half the ceiling. */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the broker within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Connects, and on error or close connects again (backoff 0.5 s doubling to 30 s), running every
 * `onConnect` setup (channels, consumers) on each new connection. Emits 'connected' and
 * 'disconnected'.
 */
export class ReconnectingConnection extends EventEmitter implements Reconnecting {
  connection: ChannelModel | null = null;
  lastError: string | null = null;
  private readonly setups: ((c: ChannelModel) => Promise<void>)[] = [];
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: ReconnectingConnectionOptions) {
    super();
    this.log = (options.logger ?? platformLogger).child({ component: 'amqp', connection: options.name });
  }

  get connected(): boolean {
    return this.connection !== null;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async onConnect(setup: (c: ChannelModel) => Promise<void>): Promise<void> {
    this.setups.push(setup);
    if (this.connection) await setup(this.connection);
  }

  async waitConnected(timeoutMs = 10_000): Promise<ChannelModel> {
    if (this.connection) return this.connection;
    let onUp: ((c: ChannelModel) => void) | undefined;
    try {
      return await within(
        new Promise<ChannelModel>((resolve) => this.once('connected', (onUp = resolve))),
        timeoutMs,
        `waiting for the connection (${this.lastError ?? 'connecting'})`,
      );
    } finally {
      if (onUp) this.off('connected', onUp); // after a timeout, nobody waits any more
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    const c = this.connection;
    this.connection = null;
    if (c) await c.close().catch((err: Error) => this.log.debug({ err: err.message }, 'close of a closing connection'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let failures = 0;
    while (!this.stop.signal.aborted) {
      let connection: ChannelModel | null = null;
      try {
        const connecting = amqp.connect(this.options.url, { clientProperties: { connection_name: this.options.name }, timeout: timeoutMs });
        // a broker that finishes the handshake after the deadline: that connection is closed at once
        const c = await within(connecting, timeoutMs, 'connecting').catch((err: Error) => {
          connecting.then((late) => late.close()).catch(() => undefined); // nobody uses it; a failed connect needs no close
          throw err;
        });
        connection = c;
        const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
        c.on('error', (err: Error) => (this.lastError = err.message));
        // a setup that never answers (a channel open the broker ignores) must not hold the loop
        const setups = (async () => {
          for (const setup of this.setups) await setup(c);
        })();
        await within(setups, timeoutMs, 'setting up channels');
        if (this.stop.signal.aborted) {
          await c.close().catch(() => undefined); // closing on purpose: its errors do not matter
          return;
        }
        this.connection = c;
        this.lastError = null;
        failures = 0;
        this.log.info('connected');
        this.emit('connected', c);
        await closed;
        this.connection = null;
        if (this.stop.signal.aborted) return;
        this.log.warn({ reason: this.lastError }, 'connection closed; reconnecting');
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn({ err: this.lastError, failures }, 'cannot connect to the broker');
        await connection?.close().catch(() => undefined); // already broken: nothing more to report
        failures++;
      }
      this.emit('disconnected', this.lastError);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reconnectDelay(failures, this.options.minDelayMs ?? 500, this.options.maxDelayMs ?? 30_000));
        this.stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
