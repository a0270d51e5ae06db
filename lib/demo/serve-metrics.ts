// The demo's services export the platform metrics the way real services would: a Prometheus
// endpoint. Point the console's PLATFORM_METRICS_URLS at it to see p95 processing times.
import http from 'node:http';
import type { Registry } from 'prom-client';

export function serveMetrics(registry: Registry, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
