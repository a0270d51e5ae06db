// Publishes republished messages with publisher confirms and `mandatory`, on its own
// reconnecting connection (so a channel error elsewhere never stops a republish).
// Outcome per message: 'ok' (the broker confirmed and routed it), 'unroutable' (basic.return:
// no queue took it), 'nacked' (the broker refused it), 'unencodable' (amqplib cannot write it:
// a property or header key over AMQP's 255 bytes, as a stored value whose invalid UTF-8 was
// replaced on reading can be; nothing was written, the channel goes on), or 'unknown' (the
// channel or connection went away before the confirm: it may or may not have been routed, and
// only the ledger can tell; see republish-recovery.ts).
//
// The ledger: when the target is a queue (the default exchange), each message carries a BCC
// header naming EventDesk's own ledger queue. RabbitMQ routes one publish to the target queue
// and the ledger together, or to neither, so after a crash the ledger says exactly which
// publishes reached the broker. The BCC header itself is removed by the broker, so consumers
// never see it. Because the ledger copy makes every such message "routed", `mandatory` alone
// would no longer catch a missing target queue: callers check the queue exists first.
import type { Channel, ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { headerText } from './amqp-values';
import { ReconnectingConnection } from './connection';
import { INTENT_ID_HEADER, type RepublishMessage } from './republish-message';
import { closeWithin, withTimeout } from './within';
import { isNamedError } from '@/lib/named-error';

/** A policy can set the same; declaring them here needs none (see declareLedger for why). */
export const LEDGER_ARGUMENTS = { 'x-queue-version': 2, 'x-queue-mode': 'lazy' };

export type PublishOutcome = 'ok' | 'unroutable' | 'nacked' | 'unencodable' | 'unknown';

/** What an operator is told of an 'unencodable' message. */
export const UNENCODABLE =
  'the message cannot be encoded for AMQP: a property or header name is over 255 bytes (a value whose invalid UTF-8 was replaced when it was read can grow past it)';

/**
 * Whether ch.publish threw because amqplib cannot encode the message (a TypeError or RangeError
 * from its encoder, thrown before anything is written), not because the channel is closed
 * (IllegalOperationError): the one is the message's fault and stays so, the other may have
 * gone out.
 */
export function isEncodingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError;
}

/** amqplib's error for a confirm the broker answered with basic.nack */
const NACKED = 'message nacked';

export interface OutgoingMessage {
  intentId: string;
  exchange: string;
  routingKey: string;
  message: RepublishMessage;
  /** copy to the ledger queue (only for the default exchange) */
  ledger: boolean;
}

export class BrokerUnavailableError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'BrokerUnavailableError');
  }

  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

export interface RepublishPublisherOptions {
  url: string;
  ledgerQueue: string;
  name?: string;
  logger?: Logger;
  /** how long a call waits for a connection before answering "unavailable" */
  connectTimeoutMs?: number;
  /** how long to wait for one batch's confirms before calling the outcome unknown */
  confirmTimeoutMs?: number;
}

export class RepublishPublisher {
  readonly connection: ReconnectingConnection;
  readonly ledgerQueue: string;
  private channel: ConfirmChannel | null = null;
  /** intent ids that came back by basic.return; read when their confirm arrives (returns precede acks) */
  private returned = new Set<string>();
  private readonly log: Logger;
  private started = false;
  /** declared on the first publish that needs it, not at start-up: a process that never
   *  republishes (or a test server) leaves nothing behind on the broker */
  private ledgerDeclared = false;
  /** settles when every send so far has its outcomes (never rejects) */
  private confirming: Promise<void> = Promise.resolve();
  /** a publishing channel being reopened after the broker closed the last one */
  private reopening: Promise<void> | null = null;

  constructor(private readonly options: RepublishPublisherOptions) {
    this.ledgerQueue = options.ledgerQueue;
    this.log = (options.logger ?? rootLogger).child({ component: 'republish-publisher' });
    this.connection = new ReconnectingConnection({
      url: options.url,
      name: options.name ?? 'eventdesk-republish',
      logger: options.logger,
      minDelayMs: 250,
      maxDelayMs: 10_000,
    });
  }

  start(): this {
    if (this.started) return this;
    this.started = true;
    void this.connection.onConnect((c) => this.setup(c));
    this.connection.start();
    return this;
  }

  get connected(): boolean {
    return this.channel !== null && this.connection.connected;
  }

  private async setup(connection: ChannelModel): Promise<void> {
    const ch = await connection.createConfirmChannel();
    ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'republish channel error; the next publish opens a new one'));
    ch.on('close', () => {
      if (this.channel === ch) this.channel = null;
    });
    ch.on('return', (msg: Message) => {
      const id = headerText(msg.properties.headers?.[INTENT_ID_HEADER]);
      if (id) this.returned.add(id);
    });
    this.ledgerDeclared = false;
    this.channel = ch;
  }

  private async confirmChannel(): Promise<ConfirmChannel> {
    if (this.channel && this.connection.connected) return this.channel;
    this.start();
    let connection: ChannelModel;
    try {
      connection = await this.connection.waitConnected(this.options.connectTimeoutMs ?? 3000);
    } catch (err) {
      throw new BrokerUnavailableError(`broker unavailable: ${(err as Error).message}`);
    }
    if (this.channel) return this.channel;
    // Connected, but the broker closed the publishing channel (a refused publish, e.g. to an
    // internal exchange): open a new one on the same connection, one opener at a time.
    this.reopening ??= withTimeout(this.setup(connection), this.options.connectTimeoutMs ?? 3000, 'opening a publishing channel')
      .catch((err: Error) => {
        throw new BrokerUnavailableError(`broker unavailable: ${err.message}`);
      })
      .finally(() => {
        this.reopening = null;
      });
    await this.reopening;
    if (!this.channel) throw new BrokerUnavailableError('broker unavailable: no publishing channel');
    this.log.info('publishing channel reopened');
    return this.channel;
  }

  /**
   * One message on a confirm channel of its own, closed afterwards: for a single republish to a
   * named exchange, where the broker may refuse the publish by closing the channel (an internal
   * exchange: 403; gone meanwhile: 404). Then it is 'refused' with the broker's reason: the
   * channel closed before any confirm, so nothing was routed. The shared channel is untouched.
   */
  async publishIsolated(item: OutgoingMessage): Promise<{ outcome: PublishOutcome | 'refused'; error?: string }> {
    await this.confirmChannel();
    const c = this.connection.connection;
    if (!c) throw new BrokerUnavailableError('broker unavailable');
    const timeoutMs = this.options.confirmTimeoutMs ?? 15_000;
    let ch: ConfirmChannel;
    try {
      ch = await withTimeout(c.createConfirmChannel(), timeoutMs, 'opening a channel');
    } catch (err) {
      throw new BrokerUnavailableError(`broker unavailable: ${(err as Error).message}`);
    }
    let refusal: string | null = null;
    let returned = false;
    ch.on('error', (err: Error & { code?: number }) => {
      if (typeof err.code === 'number' && err.code >= 400 && err.code < 600 && err.code !== 541) refusal = err.message;
    });
    ch.on('return', () => (returned = true));
    const options = { ...item.message.options, mandatory: true };
    const confirm = new Promise<PublishOutcome | 'refused'>((resolve) => {
      const closed = () => resolve(refusal ? 'refused' : 'unknown');
      ch.once('close', closed);
      try {
        ch.publish(item.exchange, item.routingKey, item.message.content, options, (err) => {
          ch.off('close', closed);
          if (err) resolve(refusal ? 'refused' : err.message === NACKED ? 'nacked' : 'unknown');
          else resolve(returned ? 'unroutable' : 'ok');
        });
      } catch (err) {
        ch.off('close', closed);
        resolve(refusal ? 'refused' : isEncodingError(err) ? 'unencodable' : 'unknown');
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([confirm, new Promise<'unknown'>((r) => (timer = setTimeout(() => r('unknown'), timeoutMs)))]);
    clearTimeout(timer);
    await closeWithin(ch);
    return outcome === 'refused' ? { outcome, error: refusal ?? 'refused by the broker' } : { outcome };
  }

  /** A plain channel for checks and the ledger; closed by the caller. */
  async openChannel(): Promise<Channel> {
    await this.confirmChannel();
    const c = this.connection.connection;
    if (!c) throw new BrokerUnavailableError('broker unavailable');
    let ch: Channel;
    try {
      ch = await withTimeout(c.createChannel(), this.rpcTimeoutMs, 'opening a channel');
    } catch (err) {
      throw new BrokerUnavailableError(`broker unavailable: ${(err as Error).message}`);
    }
    ch.on('error', () => {});
    return ch;
  }

  /**
   * Declares the ledger (on a channel of its own: a refused declare closes its channel) and
   * says how many copies it holds. EventDesk's own queue (never the platform's): durable, so a
   * broker restart does not erase the evidence recovery needs; lazy and on the version 2
   * classic queue storage (opt-in on RabbitMQ 3.10, the default from 3.12), because its copies
   * are written once and read only by recovery. Measured broker CPU per ~1 KB republish on the
   * 2-core machine (3.10): ~170 us with no ledger, ~350 with a default ledger, ~255 lazy, ~210
   * lazy on version 2. A ledger declared earlier with other arguments is used as it is.
   */
  async declareLedger(): Promise<{ messageCount: number }> {
    const ch = await this.openChannel();
    try {
      return await withTimeout(ch.assertQueue(this.ledgerQueue, { durable: true, arguments: LEDGER_ARGUMENTS }), this.rpcTimeoutMs, 'declaring the ledger');
    } catch (err) {
      if ((err as { code?: number }).code !== 406) throw err;
      const again = await this.openChannel();
      try {
        return await withTimeout(again.checkQueue(this.ledgerQueue), this.rpcTimeoutMs, 'checking the ledger');
      } finally {
        await closeWithin(again);
      }
    } finally {
      await closeWithin(ch);
    }
  }

  /** Names among `queues` that do not exist (a passive declare per name; 404 closes the channel). */
  async missingQueues(queues: Iterable<string>): Promise<Set<string>> {
    const missing = new Set<string>();
    let ch: Channel | null = null;
    for (const q of new Set(queues)) {
      ch ??= await this.openChannel();
      try {
        await withTimeout(ch.checkQueue(q), this.rpcTimeoutMs, `checking queue ${q}`);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw new BrokerUnavailableError(`cannot check queue ${q}: ${(err as Error).message}`);
        missing.add(q);
        ch = null; // the broker closed it
      }
    }
    if (ch) await closeWithin(ch);
    return missing;
  }

  async exchangeExists(exchange: string): Promise<boolean> {
    if (exchange === '') return true;
    const ch = await this.openChannel();
    try {
      await withTimeout(ch.checkExchange(exchange), this.rpcTimeoutMs, `checking exchange ${exchange}`);
      await closeWithin(ch);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw new BrokerUnavailableError(`cannot check exchange ${exchange}: ${(err as Error).message}`);
    }
  }

  /** Publishes every message and waits for all their confirms; outcomes in input order. */
  async publishAll(items: OutgoingMessage[]): Promise<PublishOutcome[]> {
    return (await this.send(items)).outcomes;
  }

  /**
   * Writes every message to the channel (waiting on the socket's back-pressure) and returns once
   * all are written, with their outcomes still to come: a bulk job sends its next batch while
   * the broker is still confirming this one. Throws only when nothing went out (no channel, the
   * ledger could not be declared). Each message's options get `mandatory` and, for a ledger
   * copy, the BCC header, in place.
   */
  async send(items: OutgoingMessage[]): Promise<{ outcomes: Promise<PublishOutcome[]> }> {
    if (items.length === 0) return { outcomes: Promise.resolve([]) };
    const ch = await this.confirmChannel();
    if (!this.ledgerDeclared && items.some((i) => i.ledger)) {
      await this.declareLedger();
      this.ledgerDeclared = true;
    }
    const outcomes: Promise<PublishOutcome>[] = [];
    const bcc = [this.ledgerQueue];
    let stalled = false;
    for (const item of items) {
      if (stalled) {
        // not written: 'unknown' sends it to recovery, which finds no ledger copy and closes
        // the intent as never received (a bulk item goes back to its queue)
        outcomes.push(Promise.resolve('unknown'));
        continue;
      }
      // completed in place (each message is built for this one publish): no copies per message
      const options = item.message.options;
      options.mandatory = true;
      if (item.ledger) (options.headers ??= {}).BCC = bcc;
      this.returned.delete(item.intentId);
      let writable = true;
      outcomes.push(
        new Promise<PublishOutcome>((resolve) => {
          try {
            writable = ch.publish(item.exchange, item.routingKey, item.message.content, options, (err) => {
              // amqplib calls back with 'message nacked' for a broker's nack, and with 'channel
              // closed' for every confirm still missing when the channel goes (before this
              // class's own close listener runs): those may or may not have been routed.
              if (err) resolve(err.message === NACKED ? 'nacked' : 'unknown');
              else if (this.returned.delete(item.intentId)) resolve('unroutable');
              else resolve('ok');
            });
          } catch (err) {
            // not written: a message amqplib cannot encode fails for good; otherwise the channel
            // closed under us and nothing more goes out on it
            resolve(isEncodingError(err) ? 'unencodable' : 'unknown');
          }
        }),
      );
      // Respect the socket's back-pressure instead of buffering a whole bulk batch in memory.
      // Bounded: a broker that stops reading (a memory or disk alarm blocks publishers) must not
      // hold a bulk job, nor a shutdown, forever.
      if (!writable && !(await waitDrain(ch, this.options.confirmTimeoutMs ?? 15_000))) {
        this.log.warn('the broker has not read for the confirm timeout (blocked?); the rest of this batch is not sent');
        stalled = true;
      }
    }
    const previous = this.confirming;
    const confirmed = this.confirmed(outcomes, previous);
    this.confirming = confirmed.then(() => undefined);
    return { outcomes: confirmed };
  }

  /**
   * The outcomes once every confirm came, or at the timeout: those still missing are unknown.
   * The timeout starts once the sends before these have their outcomes: the broker confirms a
   * channel's publishes in order, so a batch written behind another waits for that one first.
   */
  private async confirmed(outcomes: Promise<PublishOutcome>[], previous: Promise<void>): Promise<PublishOutcome[]> {
    await previous;
    const timeoutMs = this.options.confirmTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([Promise.all(outcomes), timeout]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    // Some confirms never came: settled ones keep their outcome, the rest are unknown.
    return Promise.all(outcomes.map((p) => Promise.race([p, Promise.resolve('unknown' as const)])));
  }

  private get rpcTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 5000;
  }

  async close(): Promise<void> {
    const ch = this.channel;
    this.channel = null;
    if (ch) await closeWithin(ch);
    await this.connection.close();
  }
}

/** true once the channel can take more, false after ms (or when it closed: nothing more goes out on it). */
function waitDrain(ch: Channel, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ch.off('drain', drained);
      ch.off('close', closed);
      resolve(ok);
    };
    const drained = () => done(true);
    const closed = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    ch.once('drain', drained);
    ch.once('close', closed);
  });
}
