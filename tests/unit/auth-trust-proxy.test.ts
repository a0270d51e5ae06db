// The limiter: TRUST_PROXY's parser, the client-address picker and the limiter's address keys.
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '@/lib/env';
import { addressKey, clientIp } from '@/lib/server/auth/client-ip';
import { installPeerAddressHeader, PEER_HEADER } from '@/lib/server/auth/peer-address';
import { delaySeconds, FREE_FAILURES, MAX_DELAY_SECONDS, throttleKeys } from '@/lib/server/auth/sign-in-throttle';
import { normalizeAddress, parseTrustProxy, pickClientAddress } from '@/lib/trust-proxy';

describe('TRUST_PROXY', () => {
  it('defaults to none', () => {
    expect(parseEnv({}).TRUST_PROXY).toEqual({ kind: 'none' });
    for (const v of ['', 'none', 'NONE', 'false', '0']) expect(parseTrustProxy(v)).toEqual({ kind: 'none' });
  });

  it('takes a number of hops', () => {
    expect(parseTrustProxy('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseEnv({ TRUST_PROXY: ' 2 ' }).TRUST_PROXY).toEqual({ kind: 'hops', hops: 2 });
  });

  it('takes addresses and CIDRs, IPv4 and IPv6', () => {
    const t = parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1, fd00::/8, [2001:db8::1]');
    expect(t.kind === 'cidrs' && t.cidrs).toEqual(['10.0.0.0/8', '127.0.0.1/32', '::1/128', 'fd00::/8', '2001:db8::1/128']);
  });

  it.each(['yes', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0/8', '10.0.0.1,', 'example.com', '1.2.3.4/8/8', '21', 'fe80::1/x'])(
    'refuses %j at start-up with a message naming TRUST_PROXY',
    (value) => {
      let thrown: unknown;
      try {
        parseEnv({ TRUST_PROXY: value });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(EnvError);
      expect((thrown as EnvError).issues.map((i) => i.variable)).toEqual(['TRUST_PROXY']);
      expect((thrown as EnvError).message).toMatch(/TRUST_PROXY: expected/);
    },
  );
});

describe('pickClientAddress', () => {
  const none = parseTrustProxy('none');
  const one = parseTrustProxy('1');
  const two = parseTrustProxy('2');
  const cidrs = parseTrustProxy('10.0.0.0/8, ::1');

  it('none: the peer, whatever X-Forwarded-For says', () => {
    expect(pickClientAddress('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(pickClientAddress('::ffff:203.0.113.9', null, none)).toBe('203.0.113.9');
    expect(pickClientAddress(null, '198.51.100.1', none)).toBeNull();
  });

  it('hops: the Nth entry from the right', () => {
    expect(pickClientAddress('10.0.0.2', 'forged, 198.51.100.7', one)).toBe('198.51.100.7');
    expect(pickClientAddress('10.0.0.2', 'forged, 198.51.100.7, 10.0.0.1', two)).toBe('198.51.100.7');
    expect(pickClientAddress('10.0.0.2', '198.51.100.7', two)).toBe('198.51.100.7'); // fewer entries: the left-most
    expect(pickClientAddress('10.0.0.2', null, one)).toBe('10.0.0.2');
  });

  it('cidrs: from the right, skipping trusted proxies', () => {
    expect(pickClientAddress('10.0.0.2', 'forged, 198.51.100.7, 10.1.2.3', cidrs)).toBe('198.51.100.7');
    expect(pickClientAddress('::1', '2001:db8::5', cidrs)).toBe('2001:db8::5');
    expect(pickClientAddress('203.0.113.9', '198.51.100.7', cidrs)).toBe('203.0.113.9'); // peer not trusted: header ignored
    expect(pickClientAddress('10.0.0.2', '10.0.0.3', cidrs)).toBe('10.0.0.3'); // all trusted: the left-most
    expect(pickClientAddress(null, '198.51.100.7', cidrs)).toBeNull();
  });

  it('normalises spellings', () => {
    expect(normalizeAddress(' [2001:DB8::1] ')).toBe('2001:db8::1');
    expect(normalizeAddress('198.51.100.1:4711')).toBe('198.51.100.1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('clientIp', () => {
  it('reads the peer only from the header stamped by this process', () => {
    installPeerAddressHeader();
    const forged = { [PEER_HEADER]: 'guess 198.51.100.1', 'x-forwarded-for': '198.51.100.2' };
    expect(clientIp(forged, parseTrustProxy('none'))).toBe('unknown');
    expect(clientIp(new Headers(forged), parseTrustProxy('1'))).toBe('198.51.100.2');
  });
});

describe('the limiter keys and delays', () => {
  it('keys IPv6 clients by their /64', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('198.51.100.1')).toBe('198.51.100.1');
    expect(throttleKeys('a@example.test', '198.51.100.1')).toEqual({ accountAddress: 'acct:198.51.100.1|a@example.test', address: 'ip:198.51.100.1' });
  });

  it('lets FREE_FAILURES failures through, then doubles the wait up to the cap', () => {
    expect(FREE_FAILURES).toBe(5);
    expect([1, 2, 3, 4].map(delaySeconds)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 14].map(delaySeconds)).toEqual([1, 2, 4, 8, 512]);
    expect(delaySeconds(15)).toBe(MAX_DELAY_SECONDS);
    expect(delaySeconds(10_000)).toBe(MAX_DELAY_SECONDS);
  });
});
