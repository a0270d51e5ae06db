// A broker connection that comes back by itself: on error or close it reconnects with
// exponential backoff and jitter, then runs every setup callback again (channels, consumers).
// Keep one per role (drain, tap, publisher) so a channel error in one never stops the others.
import { EventEmitter } from 'node:events';
import { assertSafeDecoder } from './amqp-safe-decoder';
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '@/lib/backoff';
import { logger as rootLogger } from '@/lib/log';
import { ignoreClosing } from './ignore-closing';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

export interface ReconnectingConnectionOptions {
  url: string;
  /** shown in the broker's connection list (rabbitmqctl list_connections client_properties) */
  name: string;
  logger?: Logger;
  minDelayMs?: number;
  maxDelayMs?: number;
  heartbeatSeconds?: number;
  /** how long one connect (TCP + AMQP handshake), and then the channel setups, may take */
  connectTimeoutMs?: number;
}

type Setup = (connection: ChannelModel) => Promise<void>;

export class ReconnectingConnection extends EventEmitter {
  state: ConnectionState = 'idle';
  lastError: string | null = null;
  connection: ChannelModel | null = null;
  private setups: Setup[] = [];
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: ReconnectingConnectionOptions) {
    super();
    this.log = (options.logger ?? rootLogger).child({ component: 'amqp', connection: options.name });
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 10_000;
  }

  /** Registers a callback run on every (re)connect; runs it now if already connected. */
  async onConnect(setup: Setup): Promise<void> {
    this.setups.push(setup);
    if (this.connection) await setup(this.connection);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Resolves once connected; rejects after timeoutMs. */
  async waitConnected(timeoutMs = 10_000): Promise<ChannelModel> {
    if (this.connection && this.state === 'connected') return this.connection;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onUp);
        reject(new Error(`broker not reachable within ${timeoutMs} ms: ${this.lastError ?? 'connecting'}`));
      }, timeoutMs);
      const onUp = (c: ChannelModel) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.once('connected', onUp);
    });
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.abort.abort();
    const c = this.connection;
    this.connection = null;
    if (c) await c.close().catch(ignoreClosing);
    await this.loop?.catch(() => {
      /* the loop reports its own failures as it goes; here we only wait for it to end */
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      // where a failure happened: reaching the broker, or declaring what this connection needs on it
      let stage: 'connecting' | 'setup' = 'connecting';
      this.state = 'connecting';
      try {
        const connecting = amqp.connect(withHeartbeat(this.options.url, this.options.heartbeatSeconds ?? 15), {
          clientProperties: { connection_name: this.options.name },
          // the socket's own connect deadline; the race below also covers a broker that accepts
          // the TCP connection but never finishes the AMQP handshake
          timeout: this.connectTimeoutMs,
        });
        const connection = await deadline(connecting, this.connectTimeoutMs, 'connecting', (late) => void late.close().catch(ignoreClosing));
        try {
          assertSafeDecoder(connection);
        } catch (err) {
          await connection.close().catch(ignoreClosing);
          throw err;
        }
        const closed = new Promise<void>((resolve) => {
          connection.on('close', (err?: Error) => {
            if (err) this.lastError = err.message;
            resolve();
          });
          connection.on('error', (err: Error) => {
            this.lastError = err.message;
          });
        });
        this.connection = connection;
        stage = 'setup';
        // a setup that never answers (a channel open the broker ignores) must not hold the loop
        await deadline(
          (async () => {
            for (const setup of this.setups) await setup(connection);
          })(),
          this.connectTimeoutMs,
          'setting up channels',
        );
        if (this.abort.signal.aborted) {
          await connection.close().catch(ignoreClosing);
          return;
        }
        this.state = 'connected';
        this.lastError = null;
        attempt = 0;
        this.log.info('connected');
        this.emit('connected', connection);
        await closed;
        this.connection = null;
        if (this.abort.signal.aborted) return;
        this.log.warn({ reason: this.lastError }, 'connection closed; reconnecting');
        this.emit('disconnected', this.lastError);
      } catch (err) {
        this.lastError = (err as Error).message;
        const c = this.connection;
        this.connection = null;
        if (c) await c.close().catch(ignoreClosing);
        this.log.warn({ err: this.lastError, attempt }, brokerFailureMessage(this.lastError, stage));
        this.emit('disconnected', this.lastError);
      }
      if (this.abort.signal.aborted) return;
      this.state = 'backoff';
      await sleep(backoffDelay(attempt++, this.options.minDelayMs ?? 500, this.options.maxDelayMs ?? 30_000), this.abort.signal);
    }
  }
}

/** p, or a rejection after ms; a value p yields after that goes to onLate (to be closed). */
function deadline<T>(p: Promise<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  return Promise.race([
    p.then((v) => {
      if (timedOut) onLate?.(v);
      return v;
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`${what}: no answer from the broker within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function withHeartbeat(url: string, seconds: number): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(seconds));
  return u.toString();
}

/**
 * The warning for a failed attempt: "cannot connect" only when the broker could not be reached.
 * When it was reached but a setup was refused because something is missing (a 404 NOT_FOUND:
 * the events exchange before the platform or the demo declared it, a DLQ), it says what.
 */
export function brokerFailureMessage(error: string | null, stage: 'connecting' | 'setup'): string {
  if (stage === 'connecting') return 'cannot connect to the broker';
  const missing = /NOT_FOUND - no (exchange|queue) '([^']*)'/.exec(error ?? '');
  if (missing) {
    return `connected to the broker, but ${missing[1]} '${missing[2]}' does not exist yet (declared by the platform or \`npm run demo\`; DECLARE_TOPOLOGY=true declares it): retrying`;
  }
  return 'connected to the broker, but setting up channels failed: retrying';
}
