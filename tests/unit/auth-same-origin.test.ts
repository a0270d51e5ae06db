import { describe, expect, it } from 'vitest';
import { isSafeMethod, isSameOrigin } from '@/lib/server/auth/same-origin';

const req = (headers: Record<string, string>) => new Request('http://console.example:3000/api/tokens', { method: 'POST', headers });

// clientIp (TRUST_PROXY, X-Forwarded-For): tests/unit/auth-trust-proxy.test.ts
describe('isSameOrigin', () => {
  it('accepts the Origin of the host the request was sent to', () => {
    expect(isSameOrigin(req({ host: 'console.example:3000', origin: 'http://console.example:3000' }))).toBe(true);
    expect(isSameOrigin(req({ host: 'internal:3000', 'x-forwarded-host': 'console.example', origin: 'https://console.example' }))).toBe(true);
  });

  it('refuses another origin, a null origin, or a cross-site fetch without Origin', () => {
    expect(isSameOrigin(req({ host: 'console.example:3000', origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'console.example:3000', origin: 'http://console.example:3001' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'console.example:3000', origin: 'null' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'console.example:3000', 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(isSameOrigin(req({ host: 'console.example:3000', referer: 'https://evil.example/page' }))).toBe(false);
  });

  it('refuses an Origin that names no host (it was taken for the headerless request of a script)', () => {
    for (const origin of ['%ff', 'not a url', 'http://', 'file:']) {
      expect(isSameOrigin(req({ host: 'console.example:3000', origin })), origin).toBe(false);
      // not even with a same-origin Referer beside it
      expect(isSameOrigin(req({ host: 'console.example:3000', origin, referer: 'http://console.example:3000/' })), origin).toBe(false);
    }
  });

  it('lets non-browser clients (no Origin, Referer or Sec-Fetch-Site) through', () => {
    expect(isSameOrigin(req({ host: 'console.example:3000' }))).toBe(true);
  });

  it('treats GET, HEAD and OPTIONS as safe', () => {
    expect(['GET', 'head', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PATCH', 'PUT', 'DELETE'].some(isSafeMethod)).toBe(false);
  });
});
