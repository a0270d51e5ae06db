// The search text the drain keeps for a death: nothing of its own when the body already is that
// text (valid UTF-8 of at most 8 KB without control characters), so the drain does not write the
// same bytes twice; otherwise the cleaned text. Either way searchTextOf gives what search indexes,
// and it is the same text the drain kept before it learned to skip it.
import fc from 'fast-check';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { prepareDeadLetter, SEARCH_TEXT_BODY_BYTES, searchTextOf, searchTextOfBody } from '@/lib/bus/prepare-dead-letter';

function message(content: Buffer, headers: Record<string, unknown> = {}): ConsumeMessage {
  return {
    content,
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'rk', consumerTag: 'c' },
    properties: { headers, contentType: 'application/json' },
  } as unknown as ConsumeMessage;
}

/** what the drain kept before: the body's first 8 KB as text, control characters as spaces, then the error */
function reference(body: Buffer, error: string | null): string {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, 8192)).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
  } catch {
    text = '';
  }
  return `${text} ${error ?? ''}`.trim();
}

describe('search text of a dead letter', () => {
  it('is the body itself for a plain JSON event, followed by its error message', () => {
    const body = Buffer.from(JSON.stringify({ eventType: 'user.created', data: { note: 'héllo wörld\ttab\nline' } }));
    const d = prepareDeadLetter(message(body, { 'x-last-error': 'SMTP timeout' }));
    expect(d.searchText).toBeNull();
    expect(searchTextOf(d)).toBe(`${body.toString('utf8')} SMTP timeout`);
  });

  it('is kept apart when the body is not its own text: control characters, invalid UTF-8, more than 8 KB', () => {
    const cases = [Buffer.from('a\u0001b'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('x'.repeat(8193)), Buffer.from('nul\u0000here')];
    for (const body of cases) {
      const d = prepareDeadLetter(message(body));
      expect(d.searchText, body.subarray(0, 10).toString('hex')).not.toBeNull();
      expect(searchTextOf(d)).toBe(reference(body, null));
    }
  });

  it('is, for any body, the text the drain kept before', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)),
        ),
        fc.option(fc.string({ maxLength: 40 }), { nil: null }),
        (body, error) => {
          const d = prepareDeadLetter(message(body, error === null ? {} : { 'x-last-error': error }));
          // trailing/leading whitespace aside (it means nothing to a full-text index)
          expect(searchTextOf(d).trim()).toBe(reference(body, d.errorMessage).trim());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is rebuilt by the search indexer from the stored body cut to SEARCH_TEXT_BODY_BYTES and the error message, exactly', () => {
    // a multi-byte character across the cut, a control character past it, bodies around 8 KB
    const near = (n: number, tail: string) => Buffer.concat([Buffer.from('a'.repeat(n)), Buffer.from(tail)]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)),
          fc.tuple(fc.integer({ min: 8180, max: 8200 }), fc.constantFrom('é', '€😀', '\u0001x', '"}', 'ok')).map(([n, tail]) => near(n, tail)),
        ),
        fc.option(fc.string({ maxLength: 40 }), { nil: null }),
        (body, error) => {
          const d = prepareDeadLetter(message(body, error === null ? {} : { 'x-last-error': error }));
          expect(searchTextOfBody(body.subarray(0, SEARCH_TEXT_BODY_BYTES), d.errorMessage)).toBe(searchTextOf(d));
        },
      ),
      { numRuns: 500 },
    );
    expect(searchTextOfBody(null, 'only the error')).toBe('only the error');
  });
});
