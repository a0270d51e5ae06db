// The web process's broker connection for queue health checks, one per process (globalThis),
// separate from the drain's and the republisher's so a slow check never delays them.
import 'server-only';
import type { ChannelModel } from 'amqplib';
import { ReconnectingConnection } from '@/lib/bus/connection';
import { QueueHealthCache } from '@/lib/bus/queue-health';
import { env } from '@/lib/env';

const holder = globalThis as unknown as { __eventdeskMonitorConnection?: ReconnectingConnection; __eventdeskQueueCache?: QueueHealthCache };

export function queueHealthCache(): QueueHealthCache {
  holder.__eventdeskQueueCache ??= new QueueHealthCache(3000);
  return holder.__eventdeskQueueCache;
}

/** Connected channel model, or throws after a short wait (routes answer 503 then). */
export async function monitorConnection(timeoutMs = 3000): Promise<ChannelModel> {
  holder.__eventdeskMonitorConnection ??= new ReconnectingConnection({ url: env().AMQP_URL, name: 'eventdesk-monitor', maxDelayMs: 5000 }).start();
  return holder.__eventdeskMonitorConnection.waitConnected(timeoutMs);
}
