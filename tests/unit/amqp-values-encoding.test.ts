// The tagged JSON encoding of AMQP values: jsonb-safe and reversible.
import { describe, expect, it } from 'vitest';
import { decodeAmqpValue, encodeAmqpValue, encodeTable } from '@/lib/bus/amqp-values';

describe('encodeTable / decodeAmqpValue', () => {
  const headers = {
    plain: 'text',
    nul: 'a\u0000b',
    bytes: Buffer.from([0, 255, 1]),
    long: 9007199254740991,
    float: 1.5,
    nan: NaN,
    bool: false,
    nothing: null,
    ts: { '!': 'timestamp', value: 1764268800 },
    dec: { '!': 'decimal', value: { places: 2, digits: 1234 } },
    big: 12345678901234567890n,
    table: { inner: [1, 'two', Buffer.from('3')], deeper: { x: { '!': 'timestamp', value: 1 } } },
    $weird: 1,
  };

  it('produces JSON that has no NUL and survives a JSON round trip', () => {
    const encoded = encodeTable(headers);
    const text = JSON.stringify(encoded);
    expect(text).not.toContain('\\u0000');
    expect(JSON.parse(text)).toEqual(encoded);
  });

  it('tags the odd types', () => {
    const e = encodeTable({ a: Buffer.from('hi'), b: 'x\u0000', c: { '!': 'timestamp', value: 5 }, d: Infinity, e: new Date(7000), f: undefined });
    expect(e).toEqual({
      a: { $bytes: 'aGk=' },
      b: { $str: Buffer.from('x\u0000').toString('base64') },
      c: { $timestamp: 5 },
      d: { $num: 'Infinity' },
      e: { $timestamp: 7 },
    });
  });

  it('keeps keys that look like tags unambiguous', () => {
    const e = encodeTable({ $bytes: 'not bytes', 'k\u0000': 1 });
    expect(decodeAmqpValue(e)).toEqual({ $bytes: 'not bytes', 'k\u0000': 1 });
  });

  it('decodes back to values amqplib can publish', () => {
    const decoded = decodeAmqpValue(encodeTable(headers)) as Record<string, unknown>;
    expect(decoded.plain).toBe('text');
    expect(decoded.nul).toBe('a\u0000b');
    expect(decoded.bytes).toEqual(Buffer.from([0, 255, 1]));
    expect(decoded.ts).toEqual({ '!': 'timestamp', value: 1764268800 });
    expect(decoded.dec).toEqual({ '!': 'decimal', value: { places: 2, digits: 1234 } });
    expect(Number.isNaN(decoded.nan)).toBe(true);
    expect(decoded.table).toEqual({ inner: [1, 'two', Buffer.from('3')], deeper: { x: { '!': 'timestamp', value: 1 } } });
    expect(decoded['$weird']).toBe(1);
  });
});

describe('canonical output', () => {
  it('is independent of key order at every level', () => {
    const a = encodeTable({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } });
    const b = encodeTable({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
  it('differs when a value differs', () => {
    expect(JSON.stringify(encodeAmqpValue({ a: 1 }))).not.toBe(JSON.stringify(encodeAmqpValue({ a: '1' })));
  });
});
