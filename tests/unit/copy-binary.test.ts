// The binary COPY encoder against what PostgreSQL's format says, byte for byte (the integration
// tests then stream it into a real server).
import { describe, expect, it } from 'vitest';
import { copyPayload, encodeCopyBinary, encodeCopyPieces, encodeCopyRow } from '@/lib/bus/copy-binary';

describe('encodeCopyBinary', () => {
  it('writes the signature, flags, one tuple per row, and the trailer', () => {
    const buf = encodeCopyBinary([['ab', Buffer.from([0, 255]), null]]);
    expect(buf.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(buf.readInt32BE(11)).toBe(0);
    expect(buf.readInt32BE(15)).toBe(0);
    let o = 19;
    expect(buf.readInt16BE(o)).toBe(3);
    o += 2;
    expect(buf.readInt32BE(o)).toBe(2);
    expect(buf.subarray(o + 4, o + 6).toString()).toBe('ab');
    o += 6;
    expect(buf.readInt32BE(o)).toBe(2);
    expect([...buf.subarray(o + 4, o + 6)]).toEqual([0, 255]);
    o += 6;
    expect(buf.readInt32BE(o)).toBe(-1);
    o += 4;
    expect(buf.readInt16BE(o)).toBe(-1);
    expect(buf.length).toBe(o + 2);
  });

  it('encodes a time as microseconds since 2000-01-01 UTC, before it too', () => {
    const at = (d: Date) => encodeCopyBinary([[d]]).readBigInt64BE(19 + 2 + 4);
    expect(at(new Date('2000-01-01T00:00:00.001Z'))).toBe(1000n);
    expect(at(new Date('1999-12-31T23:59:59Z'))).toBe(-1_000_000n);
    expect(() => encodeCopyBinary([[new Date(Number.NaN)]])).toThrow(RangeError);
  });

  it('writes text as UTF-8, a lone surrogate as U+FFFD', () => {
    const buf = encodeCopyBinary([['é\ud800']]);
    const len = buf.readInt32BE(21);
    expect(buf.subarray(25, 25 + len).toString('utf8')).toBe('é\ufffd');
  });

  it('writes int4, int8 and boolean in their binary forms, and refuses a number int4 cannot hold', () => {
    const buf = encodeCopyBinary([[-7, 2n ** 62n, true, false]]);
    let o = 19 + 2;
    expect(buf.readInt32BE(o)).toBe(4);
    expect(buf.readInt32BE(o + 4)).toBe(-7);
    o += 8;
    expect(buf.readInt32BE(o)).toBe(8);
    expect(buf.readBigInt64BE(o + 4)).toBe(2n ** 62n);
    o += 12;
    expect([buf.readInt32BE(o), buf[o + 4], buf.readInt32BE(o + 5), buf[o + 9]]).toEqual([1, 1, 1, 0]);
    for (const bad of [2 ** 31, 1.5, Number.NaN]) expect(() => encodeCopyBinary([[bad]])).toThrow(RangeError);
  });

  it('rows encoded one by one and joined make the same payload', () => {
    const rows = [
      ['a', 1, null],
      [Buffer.from([1, 2]), 2n, new Date('2026-01-01T00:00:00Z')],
    ];
    expect(copyPayload(rows.map(encodeCopyRow)).equals(encodeCopyBinary(rows))).toBe(true);
    expect(copyPayload([]).equals(encodeCopyBinary([]))).toBe(true);
  });

  it('pieces make the same payload, big byteas passed by reference in 1 MB pieces, never copied', () => {
    const big = Buffer.alloc(2.5 * 1024 * 1024, 7);
    const rows = [['a', big, null, Buffer.from([1, 2])], [Buffer.alloc(1024 * 1024, 1), 3, big.subarray(0, 1024 * 1024 + 1)], []];
    const pieces = encodeCopyPieces(rows);
    expect(Buffer.concat(pieces).equals(encodeCopyBinary(rows))).toBe(true);
    // the 2.5 MB one in three pieces of its own memory, the one of 1 MB + 1 in two; the 1 MB one copied
    expect(pieces.filter((p) => p.buffer === big.buffer).map((p) => p.length)).toEqual([1048576, 1048576, 524288, 1048576, 1]);
    expect(encodeCopyPieces([]).map((p) => p.length)).toEqual([encodeCopyBinary([]).length]);
  });
});
