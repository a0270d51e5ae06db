// The platform in miniature: declares the topology, runs every consumer service of the spec on
// the event library, publishes the ten event types at a steady rate, and injects the failures
// production sees. With `count` it ends by itself once the bus has settled.
import '@/lib/bus/amqp-safe-decoder';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import pino from 'pino';
import { PLATFORM_CONSUMERS, type ServiceSpec } from '@/lib/platform/consumers';
import { EventPublisher } from '@/lib/platform/publisher';
import { subscribe, type Subscription } from '@/lib/platform/subscribe';
import { declarePlatformTopology, type PlatformTopology } from '@/lib/platform/topology';
import { sleep } from '@/lib/backoff';
import type { DemoOptions } from './demo-options';
import { DemoStats } from './demo-stats';
import { FaultPlan, type HandlerFault } from './fault-plan';
import { generateEvent, pickEventType } from './generate-event';
import { contractViolation, poisonBody } from './poison';
import { seededRandom } from './random';
import { simulatedHandlers } from './simulated-services';
import { injectionAt, stopActionAt } from './schedule';
import { declareDemoMarker, demoMarkerQueue, queueExists } from './teardown';

export interface DemoResult {
  stats: DemoStats;
  topology: PlatformTopology;
  /** events published with a per-message TTL to the stopped consumer */
  expiring: number;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const logger = o.logger ?? pino({ level: 'warn' });
  const r = seededRandom(o.seed);
  const stats = new DemoStats();
  const faults = new FaultPlan();
  const services: ServiceSpec[] = PLATFORM_CONSUMERS.map((s) => ({
    name: o.servicePrefix + s.name,
    eventTypes: s.eventTypes,
    maxLength: s.name === o.stoppedService ? o.maxLength : undefined,
  }));
  const stoppedQueue = o.servicePrefix + o.stoppedService;

  const connection: ChannelModel = await amqp.connect(o.amqpUrl, { clientProperties: { connection_name: 'eventdesk-demo' } });
  connection.on('error', (err: Error) => logger.error({ err: err.message }, 'demo connection error'));
  const admin: Channel = await connection.createChannel();
  // the marker says the demo created these queues: queues that were there before (a real
  // platform's, or EventDesk's own declarations) are never marked, so --teardown leaves them
  const marked = await queueExists(connection, demoMarkerQueue(o.exchange));
  const preexisting = !marked && (await queueExists(connection, services[0].name));
  const topology = await declarePlatformTopology(admin, {
    exchange: o.exchange,
    dlq: o.dlq,
    services,
    retryDelaysMs: o.retryDelaysMs,
    queueType: o.queueType,
  });
  if (!preexisting)
    await declareDemoMarker(admin, o.exchange); // what --teardown may remove (lib/demo/teardown.ts)
  else o.print(`demo: the service queues were there before the demo: --teardown will not delete them (--teardown --force would)`);
  const raw = await connection.createConfirmChannel();
  const publisher = new EventPublisher({ connection, exchange: o.exchange, logger, service: 'demo-producer' });

  const subs = new Map<string, Subscription>();
  for (const [i, spec] of services.entries()) {
    subs.set(
      spec.name,
      await subscribe(spec.name, simulatedHandlers(PLATFORM_CONSUMERS[i], { faults, hangMs: o.timeoutMs * 3 }), {
        connection,
        exchange: o.exchange,
        retryDelaysMs: o.retryDelaysMs,
        timeoutMs: o.timeoutMs,
        maxLength: spec.maxLength,
        queueType: o.queueType,
        logger,
        onOutcome: (report) => stats.record(report),
      }),
    );
  }

  /** publishes not yet confirmed */
  const inFlight = new Set<Promise<void>>();
  let stoppedAt: number | null = null;
  let expiring = 0;
  let quietCourseUntil = 0;
  const status = async () => {
    const dlqDepth = (await admin.checkQueue(o.dlq).catch(() => null))?.messageCount;
    const waiting = stoppedAt === null ? undefined : ((await admin.checkQueue(stoppedQueue).catch(() => null))?.messageCount ?? 0);
    o.print(stats.line({ dlqDepth, stopped: waiting === undefined ? undefined : { service: stoppedQueue, waiting } }));
  };
  const ticker = setInterval(
    () =>
      void status().catch(() => {
        /* a status line missed while the broker restarts; the next tick prints one */
      }),
    1_000,
  );

  const publishRaw = async (routingKey: string, body: Buffer, extra: amqp.Options.Publish = {}) => {
    raw.publish(o.exchange, routingKey, body, { persistent: true, ...extra });
    await raw.waitForConfirms();
    stats.injected++;
  };

  const stopConsumer = async () => {
    // Stop it with an empty queue, so the expiring event below is at the head, where RabbitMQ
    // expires messages (one behind others waits for them, and drop-head could take it first).
    await Promise.all(inFlight);
    const sub = subs.get(stoppedQueue)!;
    const depth = async () => (await admin.checkQueue(stoppedQueue)).messageCount;
    let emptyAtStop = false;
    for (let attempt = 0; attempt < 40 && !emptyAtStop; attempt++) {
      if ((await depth()) === 0) {
        await sub.pause();
        emptyAtStop = (await depth()) === 0;
        if (!emptyAtStop) await sub.resume();
      }
      if (!emptyAtStop) await sleep(25);
    }
    if (!emptyAtStop) await sub.pause(); // busy all along: stop it anyway
    stoppedAt = Date.now();
    // Other events for it wait until this one has expired.
    const event = generateEvent('course.created', r);
    await publisher.publish(event, { expirationMs: o.expirationMs });
    stats.published++;
    expiring++;
    quietCourseUntil = Date.now() + o.expirationMs * 2;
  };
  const resumeConsumer = async () => {
    if (stoppedAt === null) return;
    stoppedAt = null;
    await subs.get(stoppedQueue)!.resume();
  };

  const started = Date.now();
  try {
    for (let i = 0; o.count === undefined || i < o.count; i++) {
      if (o.signal?.aborted) break;
      const due = started + (i * 1000) / o.rate;
      if (due > Date.now()) await sleep(due - Date.now());

      const stopAction = stopActionAt(i, o);
      if (stopAction === 'stop' && stoppedAt === null) await stopConsumer();
      if (stopAction === 'resume' && stoppedAt !== null && Date.now() - stoppedAt >= o.expirationMs * 2) await resumeConsumer();

      const injection = injectionAt(i, o);
      if (injection === 'contract') {
        const bad = contractViolation(r);
        await publishRaw(bad.routingKey, bad.body, { messageId: bad.eventId, contentType: 'application/json' });
        continue;
      }
      if (injection === 'poison') {
        const p = poisonBody(r);
        await publishRaw(p.routingKey, p.body, { contentType: 'text/html' });
        continue;
      }
      const forced: Record<string, [string, HandlerFault]> = {
        downstream: ['order.created', 'downstream'],
        timeout: ['certificate.issued', 'timeout'],
        flaky: ['progress.updated', 'flaky'],
      };
      const quiet = Date.now() < quietCourseUntil ? new Set(['course.created', 'course.published']) : undefined;
      const type = injection ? forced[injection][0] : pickEventType(r, quiet);
      const event = generateEvent(type, r);
      if (injection) faults.add(String(event.eventId), type, forced[injection][1]);
      else if (r.chance(o.failRatio)) faults.add(String(event.eventId), type, r.pick(['downstream', 'downstream', 'flaky', 'timeout'] as const));
      // Confirms of persistent messages take a disk sync: keep many in flight, not one.
      const sent = publisher
        .publish(event)
        .then(() => void stats.published++)
        .catch((err: Error) => logger.error({ err: err.message, eventId: event.eventId }, 'publish failed'))
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
      if (inFlight.size >= 500) await Promise.race(inFlight);
      if (i % 1000 === 0) faults.prune(10 * 60_000);
    }
    await Promise.all(inFlight);
    await resumeConsumer();
    if (o.count !== undefined && !o.signal?.aborted) await settle(admin, topology, subs, o);
    await status();
  } finally {
    clearInterval(ticker);
    // stopping the demo: a service whose channel is already gone has nothing left to close
    for (const s of subs.values()) await s.close().catch((err: Error) => o.print(`(closing a service: ${err.message})`));
    await publisher.close();
    await connection.close().catch((err: Error) => o.print(`(closing the connection: ${err.message})`));
  }
  return { stats, topology, expiring };
}

/** Waits until no service or retry queue holds a message and no handler runs (twice in a row). */
async function settle(admin: Channel, topology: PlatformTopology, subs: Map<string, Subscription>, o: DemoOptions): Promise<void> {
  const limit = Date.now() + o.retryDelaysMs.reduce((a, b) => a + b, 0) + o.timeoutMs * 6 + 30_000;
  let quietChecks = 0;
  while (Date.now() < limit && !o.signal?.aborted && quietChecks < 2) {
    await sleep(250);
    let busy = [...subs.values()].some((s) => s.inFlight > 0);
    for (const q of topology.queues) {
      if (busy || q === topology.dlq) continue;
      busy = (await admin.checkQueue(q)).messageCount > 0;
    }
    quietChecks = busy ? 0 : quietChecks + 1;
  }
}
