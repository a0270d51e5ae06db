// The address a request came from, for the sign-in limiter: the socket's peer address (see
// peer-address.ts), and X-Forwarded-For only as far as TRUST_PROXY says (lib/trust-proxy.ts).
import 'server-only';
import net from 'node:net';
import { env } from '@/lib/env';
import { pickClientAddress, type TrustProxy } from '@/lib/trust-proxy';
import { PEER_HEADER, peerAddress } from './peer-address';

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | null {
  if (source instanceof Headers) return source.get(name);
  const v = source[name] ?? source[name.toLowerCase()];
  return (Array.isArray(v) ? v.join(',') : v) ?? null;
}

/** The client's address, or 'unknown' when neither the peer nor a trusted header tells it. */
export function clientIp(source: HeaderSource, trust: TrustProxy = env().TRUST_PROXY): string {
  const address = pickClientAddress(peerAddress(header(source, PEER_HEADER)), header(source, 'x-forwarded-for'), trust);
  if (!address) return 'unknown';
  return net.isIP(address) ? address : address.slice(0, 64);
}

/**
 * The limiter's key for an address: IPv4 as is, IPv6 by its /64 (one subscriber's whole
 * allocation, which a client can rotate through at will).
 */
export function addressKey(address: string): string {
  if (net.isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function ipv6Groups(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // an embedded IPv4 tail (::ffff:1.2.3.4 is IPv4 already; others are rare) counts as two groups
  const expand = (groups: string[]) => groups.flatMap((g) => (g.includes('.') ? ['v4', 'v4'] : [g]));
  const l = expand(left);
  const r = expand(right);
  const fill = tail === undefined ? [] : Array(Math.max(0, 8 - l.length - r.length)).fill('0');
  return [...l, ...fill, ...r].map((g) => (g === 'v4' ? g : (parseInt(g, 16) || 0).toString(16)));
}
