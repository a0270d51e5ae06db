// A local HTTP receiver for notification tests: records every request (headers, raw body, when,
// what it answered) and answers with whatever `answer` decides; and a quiet sender on a database.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startNotificationSender, type SenderSettings } from '@/lib/notifications/sender';

export interface Received {
  at: number;
  event: string;
  delivery: string;
  signature: string;
  raw: Buffer;
  body: Record<string, unknown>;
  answered: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** answer: the status to give this request (it may also wait, to simulate a slow receiver) */
export async function startReceiver(answer: (req: IncomingMessage, n: number) => number | Promise<number> = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const status = await answer(req, requests.length);
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          /* recorded raw */
        }
        requests.push({
          at: Date.now(),
          event: String(req.headers['x-eventdesk-event'] ?? ''),
          delivery: String(req.headers['x-eventdesk-delivery'] ?? ''),
          signature: String(req.headers['x-eventdesk-signature'] ?? ''),
          raw,
          body,
          answered: status,
        });
        res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
        res.end(status < 300 ? 'ok' : 'no');
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function verifySignature(secret: string, r: Received): boolean {
  return r.signature === `sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`;
}

export const FAST_SENDER: SenderSettings = {
  consoleUrl: 'http://console.test:3000',
  backoffBaseMs: 1000,
  backoffMaxMs: 4000,
  timeoutMs: 3000,
  giveUpHours: 24,
};

export function quietSender(databaseUrl: string, settings: Partial<SenderSettings> = {}) {
  return startNotificationSender({ ...FAST_SENDER, ...settings, databaseUrl, logger: pino({ level: 'silent' }), pollMs: 200 });
}
