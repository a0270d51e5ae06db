// streamedJson sends exactly the JSON Response.json would, whatever the strings and pieces hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STREAM_SLICE, streamedJson, TextPieces } from '@/lib/api/json-stream';

const materialise = (v: unknown): unknown =>
  v instanceof TextPieces
    ? v.text()
    : Array.isArray(v)
      ? v.map(materialise)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, materialise(x)]))
        : v;

async function sent(data: unknown): Promise<string> {
  return new TextDecoder().decode(await streamedJson(data).arrayBuffer());
}

describe('streamedJson', () => {
  it('equals JSON.stringify for small documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        expect(await sent(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 200 },
    );
  });

  it('writes big strings and pieces in slices, byte for byte, surrogate pairs and escapes included', async () => {
    const unit = fc.constantFrom('a', '😀', '"', '\\', '\n', '\u0000', '\u2028', 'é', '\ud800');
    const piece = fc.array(unit, { maxLength: 40 }).map((a) => a.join('').repeat(1 + Math.floor(STREAM_SLICE / 40)));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 3 }), fc.string(), async (pieces, small) => {
        const doc = { a: small, body: { data: new TextPieces(pieces), encoding: 'utf8' }, big: pieces.join(''), list: [new TextPieces(pieces.slice(0, 1))] };
        const text = await sent(doc);
        expect(text).toBe(JSON.stringify(materialise(doc)));
      }),
      { numRuns: 15 },
    );
  });

  it('a string that looks like the marker is sent as itself', async () => {
    const doc = { x: '\u0000eventdesk-big-0\u0000', y: 'z'.repeat(STREAM_SLICE + 1) };
    expect(await sent(doc)).toBe(JSON.stringify(doc));
  });

  it('sends a 20 MB text in chunks of at most a slice', async () => {
    const res = streamedJson({ data: new TextPieces(['x'.repeat(10 * 1024 * 1024), 'y'.repeat(10 * 1024 * 1024)]) });
    const reader = res.body!.getReader();
    let chunks = 0;
    let biggest = 0;
    let total = 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks++;
      biggest = Math.max(biggest, next.value.length);
      total += next.value.length;
    }
    expect(total).toBe(20 * 1024 * 1024 + '{"data":""}'.length);
    expect(chunks).toBeGreaterThan(60);
    expect(biggest).toBeLessThanOrEqual(STREAM_SLICE * 3); // one slice, UTF-8 encoded
    expect(res.headers.get('content-type')).toBe('application/json');
  });
});
