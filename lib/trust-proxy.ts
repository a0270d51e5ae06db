// TRUST_PROXY: which X-Forwarded-For entries EventDesk believes. Parsed once by lib/env.ts (a bad
// value stops start-up); used by lib/server/auth/client-ip.ts. Node-only (node:net), no secrets.
import net from 'node:net';

export type TrustProxy =
  /** the peer (socket) address is the client; X-Forwarded-For is ignored */
  | { kind: 'none' }
  /** N proxies in front: the client is the Nth X-Forwarded-For entry from the right */
  | { kind: 'hops'; hops: number }
  /** proxies at these addresses: walk X-Forwarded-For from the right, skipping them */
  | { kind: 'cidrs'; cidrs: string[]; list: net.BlockList };

export const MAX_TRUSTED_HOPS = 20;

/** An address as written by Node or a proxy, in one spelling: no brackets or zone, IPv4-mapped IPv6 as IPv4, lower case. */
export function normalizeAddress(raw: string): string {
  let a = raw.trim();
  if (a.startsWith('[')) a = a.slice(1, a.indexOf(']') > 0 ? a.indexOf(']') : undefined);
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':')); // IPv4 with a port
  const zone = a.indexOf('%');
  if (zone > 0 && a.includes(':')) a = a.slice(0, zone);
  a = a.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped && net.isIPv4(mapped[1])) return mapped[1];
  return a;
}

function parseCidr(entry: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | string {
  const slash = entry.indexOf('/');
  const address = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
  const version = net.isIP(address);
  if (version === 0) return `'${entry}' is not an IP address or CIDR`;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return `'${entry}' has a prefix length outside 0-${max}`;
    prefix = Number(p);
  }
  return { address, prefix, type: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * `none` (or empty, `false`, `0`): trust no proxy. A whole number 1-20: that many proxies.
 * Otherwise a comma-separated list of addresses and CIDRs (IPv4, IPv6). Throws Error naming
 * the bad part.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || /^(none|false|0)$/i.test(v)) return { kind: 'none' };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > MAX_TRUSTED_HOPS) throw new Error(`expected at most ${MAX_TRUSTED_HOPS} hops, got ${v}`);
    return { kind: 'hops', hops };
  }
  const entries = v.split(',').map((s) => s.trim());
  const list = new net.BlockList();
  const cidrs: string[] = [];
  for (const entry of entries) {
    if (!entry) throw new Error(`expected none, a number of proxies, or comma-separated CIDRs: an entry of '${v}' is empty`);
    const parsed = parseCidr(entry);
    if (typeof parsed === 'string') throw new Error(`expected none, a number of proxies, or comma-separated CIDRs: ${parsed}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.type);
    cidrs.push(`${parsed.address}/${parsed.prefix}`);
  }
  return { kind: 'cidrs', cidrs, list };
}

function isTrusted(list: net.BlockList, address: string): boolean {
  const version = net.isIP(address);
  if (version === 0) return false;
  return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address. `peer` is the socket's remote address (null when unknown);
 * `forwardedFor` the X-Forwarded-For header (each proxy appends the address it saw).
 * - none: the peer; the header is ignored (any client can write one).
 * - hops N: the Nth entry from the right (the address the outermost of N proxies saw); with
 *   fewer entries, the left-most one.
 * - cidrs: from the peer leftwards through the header, the first address that is not a trusted
 *   proxy; if all are, the left-most.
 */
export function pickClientAddress(peer: string | null, forwardedFor: string | null, trust: TrustProxy): string | null {
  const chain = (forwardedFor ?? '').split(',').map(normalizeAddress).filter(Boolean);
  const self = peer ? normalizeAddress(peer) : null;
  switch (trust.kind) {
    case 'none':
      return self;
    case 'hops':
      if (chain.length === 0) return self;
      return chain[Math.max(0, chain.length - trust.hops)];
    case 'cidrs': {
      if (!self) return null; // whether the peer is a trusted proxy cannot be told
      const walk = [self, ...chain.reverse()];
      for (const address of walk) if (!isTrusted(trust.list, address)) return address;
      return walk.length ? walk[walk.length - 1] : null;
    }
  }
}
