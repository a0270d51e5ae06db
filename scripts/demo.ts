// `npm run demo [-- --rate R --count N --fail-ratio F --seed N --queue-type classic|quorum]`: EduPlatform in miniature on the
// broker of AMQP_URL, dead-lettering into DLQ_QUEUE the way production does. Ctrl-C stops cleanly.
// `npm run demo -- --teardown` removes what it declared (lib/demo/teardown.ts).
import 'dotenv/config';
import pino from 'pino';
import { DEMO_DEFAULTS, parseDemoArgs, randomSeed } from '@/lib/demo/demo-options';
import { DemoTeardownRefused, teardownDemo } from '@/lib/demo/teardown';
import { runDemo } from '@/lib/demo/run-demo';
import { serveMetrics } from '@/lib/demo/serve-metrics';
import { defaultPlatformRegistry } from '@/lib/platform/metrics';
import { env, EnvError } from '@/lib/env';

async function main(): Promise<void> {
  const { teardown, force, ...args } = parseDemoArgs(process.argv.slice(2));
  const settings = env();
  if (teardown) {
    const report = await teardownDemo({
      amqpUrl: settings.AMQP_URL,
      exchange: settings.EVENTS_EXCHANGE,
      dlq: settings.DLQ_QUEUE[0],
      servicePrefix: DEMO_DEFAULTS.servicePrefix,
      retryDelaysMs: DEMO_DEFAULTS.retryDelaysMs,
      force,
    });
    console.log(`demo teardown: deleted ${report.deletedQueues.length} queues (${report.deletedQueues.join(', ')})`);
    console.log(`demo teardown: deleted exchanges ${report.deletedExchanges.join(', ')}`);
    const kept = report.keptDlq;
    if (kept) {
      console.log(
        `demo teardown: kept ${kept.name}: ${kept.messages} dead letters not drained yet, ${kept.consumers} consumer(s) (EventDesk's drain) reading it`,
      );
    }
    return;
  }
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait
    console.log('\nstopping: finishing deliveries in progress (Ctrl-C again to quit now)');
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // a new seed each run unless given: a fixed one would publish the same event ids every run,
  // and EventDesk would take them for the same events failing again
  const options = { ...DEMO_DEFAULTS, ...args, seed: args.seed ?? randomSeed() };
  // DEMO_METRICS_PORT (default 9464; 0 turns it off): the simulated services' Prometheus metrics.
  const metricsPort = Number(process.env.DEMO_METRICS_PORT ?? 9464);
  const metricsServer = metricsPort
    ? await serveMetrics(defaultPlatformRegistry(), metricsPort).catch((err: Error) => {
        console.warn(`demo: metrics endpoint not served on port ${metricsPort}: ${err.message}`);
        return null;
      })
    : null;
  if (metricsServer) console.log(`demo: services' metrics at http://127.0.0.1:${metricsPort}/metrics`);
  console.log(
    `demo: ${options.rate} events/s${options.count ? `, ${options.count} events` : ''}, fail ratio ${options.failRatio}, seed ${options.seed}, ` +
      `${options.queueType ?? 'classic'} queues, ` +
      `exchange ${settings.EVENTS_EXCHANGE}, DLQ ${settings.DLQ_QUEUE[0]}, broker ${new URL(settings.AMQP_URL).host}`,
  );
  const result = await runDemo({
    ...options,
    amqpUrl: settings.AMQP_URL,
    exchange: settings.EVENTS_EXCHANGE,
    dlq: settings.DLQ_QUEUE[0],
    signal: abort.signal,
    print: (line) => console.log(line),
    // The failures are the point of the demo, so the library's logs would drown the status
    // lines: silent unless LOG_LEVEL is set explicitly (then on stderr).
    logger: pino({ level: process.env.LOG_LEVEL ? settings.LOG_LEVEL : 'silent' }, pino.destination(2)),
  });
  metricsServer?.close();
  const s = result.stats;
  console.log(
    `done: published ${s.published} events (+${s.injected} malformed), consumed ${s.consumed}, retried ${s.retried}, ` +
      `dead-lettered ${s.deadLettered} by consumers (+ expired / maxlen by RabbitMQ)`,
  );
}

main().catch((err: Error) => {
  console.error(err instanceof EnvError ? err.message : err instanceof DemoTeardownRefused ? `demo teardown: ${err.message}` : `demo failed: ${err.message}`);
  process.exit(1);
});
