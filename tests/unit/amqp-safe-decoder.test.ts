// The header decoder that replaces amqplib's: same values as amqplib for every type, bounded depth
// (deeper levels handed over as raw bytes), never a throw for malformed tables.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeBasicProperties, decodeHeaders, MAX_HEADER_DEPTH, UNDECODABLE_KEY } from '@/lib/bus/amqp-safe-decoder';

const req = createRequire(import.meta.url);
const amqplibDir = dirname(req.resolve('amqplib'));
const codec = req(join(amqplibDir, 'lib', 'codec.js')) as {
  encodeTable(buf: Buffer, val: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
};
const defs = req(join(amqplibDir, 'lib', 'defs.js')) as {
  encodeProperties(id: number, channel: number, size: number, fields: unknown): Buffer;
  BasicProperties: number;
};

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const entry = (key: string, tag: string, value: Buffer) => Buffer.concat([Buffer.from([key.length]), Buffer.from(key + tag), value]);
const long = (tag: 'F' | 'A' | 'x' | 'S', bytes: Buffer) => Buffer.concat([Buffer.from(tag), u32(bytes.length), bytes]);

/** A headers table {h: {a: {a: ... 'leaf'}}} (or [[[...]]]) `depth` levels deep, built iteratively. */
function deepTable(depth: number, kind: 'F' | 'A'): { table: Buffer; levels: Buffer[] } {
  let inner = kind === 'F' ? entry('a', 'S', Buffer.concat([u32(4), Buffer.from('leaf')])) : Buffer.concat([Buffer.from('S'), u32(4), Buffer.from('leaf')]);
  const levels: Buffer[] = [inner]; // levels[i]: the bytes of the table/array i+1 levels from the bottom
  for (let i = 1; i < depth; i++) {
    inner = kind === 'F' ? Buffer.concat([Buffer.from([1]), Buffer.from('a'), long('F', inner)]) : long('A', inner);
    levels.push(inner);
  }
  return { table: Buffer.concat([Buffer.from([1]), Buffer.from('h'), long(kind, inner)]), levels };
}

function encoded(value: Record<string, unknown>): Buffer {
  const buf = Buffer.alloc(1 << 20);
  const len = codec.encodeTable(buf, value, 0);
  return buf.subarray(4, len); // without its own length prefix
}

describe('safe AMQP header decoder', () => {
  it('decodes every field type exactly as amqplib does', () => {
    const headers = {
      s: 'text é',
      i: 123456,
      neg: -5,
      big: 2 ** 40,
      f: 1.25,
      t: true,
      no: false,
      nul: null,
      bytes: Buffer.from([0, 1, 255]),
      ts: { '!': 'timestamp', value: 1764268800 },
      dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      byte: { '!': 'byte', value: -3 },
      ubyte: { '!': 'unsignedbyte', value: 200 },
      short: { '!': 'short', value: -300 },
      ushort: { '!': 'unsignedshort', value: 60000 },
      uint: { '!': 'unsignedint', value: 4000000000 },
      float: { '!': 'float', value: 0.5 },
      nested: { list: [1, 'two', { deep: Buffer.from('x') }, [[]]], empty: {} },
    };
    const bytes = encoded(headers);
    expect(decodeHeaders(bytes)).toEqual(codec.decodeFields(bytes));
  });

  it(`keeps ${MAX_HEADER_DEPTH} levels of tables and hands the deeper bytes over undecoded`, () => {
    const { table, levels } = deepTable(5000, 'F');
    // amqplib's own decoder: this is what killed the drain's connection
    expect(() => codec.decodeFields(table)).toThrow(RangeError);
    const out = decodeHeaders(table);
    let node = out.h as Record<string, unknown>;
    for (let level = 2; level <= MAX_HEADER_DEPTH; level++) node = node.a as Record<string, unknown>;
    const marker = node.a as Record<string, string>;
    expect(Object.keys(marker)).toEqual([UNDECODABLE_KEY]);
    // level 65 from the top is levels[5000 - 65]: its exact bytes, nothing lost
    expect(Buffer.from(marker[UNDECODABLE_KEY], 'base64').equals(levels[5000 - MAX_HEADER_DEPTH - 1])).toBe(true);
  });

  it('bounds arrays nested in arrays the same way', () => {
    const { table, levels } = deepTable(5000, 'A');
    const out = decodeHeaders(table);
    let node = out.h as unknown[];
    for (let level = 2; level <= MAX_HEADER_DEPTH; level++) node = node[0] as unknown[];
    const marker = node[0] as Record<string, string>;
    expect(Buffer.from(marker[UNDECODABLE_KEY], 'base64').equals(levels[5000 - MAX_HEADER_DEPTH - 1])).toBe(true);
  });

  it('decodes a table exactly at the depth limit without a marker', () => {
    const { table } = deepTable(MAX_HEADER_DEPTH, 'F');
    expect(decodeHeaders(table)).toEqual(codec.decodeFields(table));
    expect(JSON.stringify(decodeHeaders(table))).not.toContain(UNDECODABLE_KEY);
  });

  it('decodes a very wide table completely', () => {
    const n = 50_000;
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) parts.push(entry(`k${i}`, 'I', u32(i)));
    const out = decodeHeaders(Buffer.concat(parts));
    expect(Object.keys(out)).toHaveLength(n);
    expect(out.k49999).toBe(49999);
  });

  it('turns malformed tables into the marker instead of throwing', () => {
    const cases = [
      entry('a', '?', Buffer.alloc(4)), // unknown type tag
      entry('a', 'S', u32(1000)), // string longer than the table
      Buffer.concat([Buffer.from([1]), Buffer.from('a'), long('F', Buffer.from([5, 1]))]), // broken nested table
      Buffer.from([200, 1, 2]), // key longer than the table
      entry('a', 'l', Buffer.alloc(3)), // truncated long
    ];
    for (const bytes of cases) {
      const out = decodeHeaders(bytes);
      expect(out).toEqual({ [UNDECODABLE_KEY]: bytes.toString('base64') });
    }
  });

  it('keeps a header named __proto__ as a header', () => {
    const out = decodeHeaders(entry('__proto__', 'S', Buffer.concat([u32(1), Buffer.from('x')])));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
  });

  it('decodes basic.properties as amqplib does', () => {
    const props = {
      contentType: 'application/json',
      contentEncoding: 'gzip',
      headers: { a: 1, b: ['x'] },
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c',
      replyTo: 'r',
      expiration: '1000',
      messageId: 'm',
      timestamp: 1764268800,
      type: 't',
      userId: 'guest',
      appId: 'app',
      clusterId: 'cl',
    };
    const frame = defs.encodeProperties(defs.BasicProperties, 1, 10, props);
    // frame: type(1) channel(2) size(4) class(2) weight(2) bodySize(8) then flags + properties, end byte
    const flagsAndFields = frame.subarray(7 + 12, frame.length - 1);
    expect(decodeBasicProperties(flagsAndFields)).toEqual(props);
    expect(decodeBasicProperties(Buffer.from([0, 0]))).toEqual({});
  });
});

describe('assertSafeDecoder', () => {
  it('refuses a connection that does not decode with the guard (e.g. another amqplib copy)', async () => {
    const { assertSafeDecoder } = await import('@/lib/bus/amqp-safe-decoder');
    const unguarded = { connection: { recvFrame: () => false } } as unknown as import('amqplib').ChannelModel;
    expect(() => assertSafeDecoder(unguarded)).toThrow(/deep-header guard is not active/);
    // amqplib's own Connection class is patched in this process
    const { Connection } = req(join(amqplibDir, 'lib', 'connection.js')) as { Connection: { prototype: object } };
    const guarded = { connection: Object.create(Connection.prototype) } as unknown as import('amqplib').ChannelModel;
    expect(() => assertSafeDecoder(guarded)).not.toThrow();
  });

  it('accepts the guard installed by another copy of the module (a Next build bundles it into several chunks)', async () => {
    const first = await import('@/lib/bus/amqp-safe-decoder');
    vi.resetModules();
    // a second, separate copy: importing it installs its own recvFrame over the first copy's
    const second = await import('@/lib/bus/amqp-safe-decoder');
    expect(second).not.toBe(first);
    const { Connection } = req(join(amqplibDir, 'lib', 'connection.js')) as { Connection: { prototype: object } };
    const reconnected = { connection: Object.create(Connection.prototype) } as unknown as import('amqplib').ChannelModel;
    // the first copy checks a connection made after the second copy was loaded (the drain's
    // reconnect after a web route had loaded the other chunk): still guarded
    expect(() => first.assertSafeDecoder(reconnected)).not.toThrow();
    expect(() => second.assertSafeDecoder(reconnected)).not.toThrow();
  });
});
