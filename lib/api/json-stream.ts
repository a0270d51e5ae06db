// A JSON response whose big strings (message bodies of many MB) are written in slices: the same
// JSON Response.json would send, without one JSON.stringify + UTF-8 encode of the whole body
// holding the event loop. A body read in pieces (TextPieces) is never joined into one string:
// on this machine any single 20 MB string operation (a join, a flatten, an encode) costs
// 60-150 ms, mostly first-touch page faults, so the only bounded way is never to make one.
import { randomBytes } from 'node:crypto';
import { pauser } from '@/lib/event-loop-pause';

/** Strings longer than this are streamed in slices of this many UTF-16 units. */
export const STREAM_SLICE = 256 * 1024;

/**
 * A long text kept as its pieces (each whole code points, e.g. from a streaming TextDecoder).
 * streamedJson writes it as one JSON string; text() joins it for code that needs one string.
 */
export class TextPieces {
  constructor(readonly pieces: readonly string[]) {}
  text(): string {
    return this.pieces.join('');
  }
}

/** JSON text of `text` without its quotes, in slices that never split a surrogate pair. */
function* escapedSlices(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + STREAM_SLICE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++; // keep a pair together
    yield JSON.stringify(text.slice(start, end)).slice(1, -1);
    start = end;
  }
}

/**
 * The parts of `data`'s JSON text: the document's structure serialised once, by the engine, with
 * each big string and TextPieces swapped for a per-call random marker; then the big values in
 * slices where their markers stood.
 */
function* jsonParts(data: unknown): Generator<string> {
  const nonce = randomBytes(12).toString('hex');
  const big: (readonly string[])[] = [];
  const marker = (i: number) => `\u0000eventdesk-big-${nonce}-${i}\u0000`;
  const skeleton = JSON.stringify(data, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key]; // before toJSON: a TextPieces is seen as itself
    if (raw instanceof TextPieces) big.push(raw.pieces);
    else if (typeof value === 'string' && value.length > STREAM_SLICE) big.push([value]);
    else return value;
    return marker(big.length - 1);
  });
  let rest = skeleton;
  for (let i = 0; i < big.length; i++) {
    const escapedMarker = JSON.stringify(marker(i)).slice(1, -1);
    const at = rest.indexOf(escapedMarker);
    yield rest.slice(0, at);
    for (const piece of big[i]) yield* escapedSlices(piece);
    rest = rest.slice(at + escapedMarker.length);
  }
  yield rest;
}

/** Response.json(data, init), with big strings encoded slice by slice as the client reads. */
export function streamedJson(data: unknown, init: ResponseInit = {}): Response {
  const parts = jsonParts(data);
  const encoder = new TextEncoder();
  // a reader that takes each slice at once (Next pipes the stream to the socket with promises
  // only) never gave the event loop a turn: 100 MB held it ~1 s; it gets one every 10 ms
  const pause = pauser();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await pause();
      for (;;) {
        const next = parts.next();
        if (next.done) return controller.close();
        if (next.value) return controller.enqueue(encoder.encode(next.value));
      }
    },
  });
  const headers = new Headers(init.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return new Response(body, { ...init, headers });
}
