// A notification attempt to a receiver that accepts the request and never answers ends at its
// timeout (NOTIFY_TIMEOUT_MS), even when garbage collections run meanwhile: with
// AbortSignal.any([AbortSignal.timeout(ms), stop]) a collection took the timeout signal on Node 20
// and the attempt waited for undici's own 300 s, holding every channel's deliveries behind it.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: Server;
let url: string;

beforeAll(async () => {
  // reads the request and never answers
  server = createServer((req) => req.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function attempt(timeoutMs: number): Promise<{ out: { ok: boolean; error: string; durationMs: number } | null; wallMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'notifications-timeout-child.ts'), url, String(timeoutMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    // a bound for the test itself: an attempt that hangs is killed and reported as null
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(killer);
      resolve({ out: text.trim() ? JSON.parse(text.trim()) : null, wallMs: Date.now() - started });
    });
  });
}

describe('notification attempt timeout', () => {
  it('ends at its timeout while garbage collections run, not at the HTTP client’s 300 s', async () => {
    const { out } = await attempt(800);
    expect(out, 'the attempt hung past 20 s').not.toBeNull();
    expect(out!.ok).toBe(false);
    expect(out!.error).toBe('timeout after 800 ms');
    expect(out!.durationMs).toBeGreaterThanOrEqual(790);
    expect(out!.durationMs).toBeLessThan(5_000);
  }, 30_000);
});
