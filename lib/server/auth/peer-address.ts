// The socket address of a request, for route handlers. Next 16 gives them none (NextRequest.ip
// is gone, and `next start` only sets X-Forwarded-For to the peer when the client sent no such
// header, so the header alone cannot tell a forged entry from the peer). installed once per
// process by instrumentation.ts: every request the HTTP server emits gets a header carrying a
// random per-process tag and the socket's remote address, overwriting whatever a client sent.
// A header without this process's tag (a client's forgery, or a process where the hook is not
// installed) is ignored.
import 'server-only';
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export const PEER_HEADER = 'x-eventdesk-peer';

const g = globalThis as unknown as { __eventdeskPeerTag?: string };

export function installPeerAddressHeader(): void {
  if (g.__eventdeskPeerTag) return;
  const tag = randomBytes(18).toString('base64url');
  g.__eventdeskPeerTag = tag;
  const proto = http.Server.prototype;
  const emit = Reflect.get(proto, 'emit') as (this: http.Server, ...args: unknown[]) => boolean; // called below with the server as `this`
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_HEADER] = `${tag} ${req.socket?.remoteAddress ?? ''}`;
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}

/** The peer address stamped by installPeerAddressHeader, or null. */
export function peerAddress(value: string | null | undefined): string | null {
  const tag = g.__eventdeskPeerTag;
  if (!tag || !value || !value.startsWith(`${tag} `)) return null;
  return value.slice(tag.length + 1) || null;
}
