// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html): what the
// drain streams into dead_letter_inbox. Binary, so a body travels as its own bytes (no hex text,
// no array literal for the server to parse) and each value costs a length prefix.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC) */
const PG_EPOCH_US = 946_684_800_000_000n;

/**
 * text and json: a string; bytea: a Buffer; timestamptz: a Date; int4: a number (an integer);
 * int8 and xid8: a bigint; boolean: a boolean; NULL: null.
 */
export type CopyValue = string | Buffer | Date | number | bigint | boolean | null;

function sizeOf(v: CopyValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'string':
      return Buffer.byteLength(v, 'utf8');
    case 'number':
      return 4;
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    default:
      return v instanceof Date ? 8 : v.length;
  }
}

/**
 * A bytea over this many bytes is passed to the COPY by reference (encodeCopyPieces), in pieces of
 * this size: a 100 MB body copied into the payload held the drain's event loop ~280 ms, and doubled
 * its memory for the time of the COPY.
 */
const BY_REFERENCE_BYTES = 1024 * 1024;

const byReference = (v: CopyValue, spliced: Spliced[] | undefined): boolean => !!spliced && Buffer.isBuffer(v) && v.length > BY_REFERENCE_BYTES;

/** A bytea left out of the payload, to go in at `at` (after its length). */
interface Spliced {
  at: number;
  value: Buffer;
}

const rowSize = (row: CopyValue[], spliced?: Spliced[]) => row.reduce<number>((n, v) => n + 4 + (byReference(v, spliced) ? 0 : sizeOf(v)), 2);

/**
 * Writes one tuple (field count, then each field's length and bytes) at `at`; returns the end.
 * `spliced`: a big bytea's bytes are not written but listed there (byReference), its length is.
 */
function writeRow(out: Buffer, at: number, row: CopyValue[], spliced?: Spliced[]): number {
  at = out.writeInt16BE(row.length, at);
  for (const value of row) {
    if (value === null) {
      at = out.writeInt32BE(-1, at);
    } else if (typeof value === 'number') {
      // an int4 column: what it cannot hold is refused here, never written wrong
      if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`not an int4: ${value}`);
      at = out.writeInt32BE(4, at);
      at = out.writeInt32BE(value, at);
    } else if (typeof value === 'bigint') {
      at = out.writeInt32BE(8, at);
      at = out.writeBigInt64BE(value, at);
    } else if (typeof value === 'boolean') {
      at = out.writeInt32BE(1, at);
      at = out.writeUInt8(value ? 1 : 0, at);
    } else if (value instanceof Date) {
      const ms = value.getTime();
      // a time JavaScript cannot hold; PostgreSQL refuses what it cannot hold itself (22008)
      if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
      at = out.writeInt32BE(8, at);
      at = out.writeBigInt64BE(BigInt(ms) * 1000n - PG_EPOCH_US, at);
    } else if (typeof value === 'string') {
      // text and json: UTF-8 text (a lone surrogate becomes U+FFFD, so it is always valid UTF-8)
      const length = out.write(value, at + 4, 'utf8');
      at = out.writeInt32BE(length, at) + length;
    } else {
      at = out.writeInt32BE(value.length, at);
      if (spliced && byReference(value, spliced)) spliced.push({ at, value });
      else at += value.copy(out, at);
    }
  }
  return at;
}

/** The payload's header: signature, flags and header-extension length (both 0). */
function writeHeader(out: Buffer): number {
  const at = SIGNATURE.copy(out, 0);
  return out.writeInt32BE(0, out.writeInt32BE(0, at));
}

const HEADER_SIZE = SIGNATURE.length + 8;

/**
 * One COPY ... FROM STDIN (FORMAT binary) payload: header, rows, trailer. Written into one buffer
 * sized up front (the drain encodes every message it stores here: no per-value allocations).
 */
export function encodeCopyBinary(rows: CopyValue[][]): Buffer {
  let size = HEADER_SIZE + 2;
  for (const row of rows) size += rowSize(row);
  const out = Buffer.allocUnsafe(size);
  let at = writeHeader(out);
  for (const row of rows) at = writeRow(out, at, row);
  out.writeInt16BE(-1, at);
  return out;
}

/**
 * The payload of encodeCopyBinary as pieces to write in turn, each bytea over BY_REFERENCE_BYTES
 * passed by reference (never copied) in pieces of that size: what the drain streams its messages'
 * bodies with (RabbitMQ lets a body reach 128 MB).
 */
export function encodeCopyPieces(rows: CopyValue[][]): Buffer[] {
  const spliced: Spliced[] = [];
  let size = HEADER_SIZE + 2;
  for (const row of rows) size += rowSize(row, spliced);
  const out = Buffer.allocUnsafe(size);
  let at = writeHeader(out);
  for (const row of rows) at = writeRow(out, at, row, spliced);
  out.writeInt16BE(-1, at);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const { at: to, value } of spliced) {
    pieces.push(out.subarray(from, to));
    for (let i = 0; i < value.length; i += BY_REFERENCE_BYTES) pieces.push(value.subarray(i, i + BY_REFERENCE_BYTES));
    from = to;
  }
  pieces.push(out.subarray(from));
  return pieces;
}

/** One row encoded on its own (kept compact until copyPayload joins it with others). */
export function encodeCopyRow(row: CopyValue[]): Buffer {
  const out = Buffer.allocUnsafe(rowSize(row));
  writeRow(out, 0, row);
  return out;
}

/** A payload of rows encoded by encodeCopyRow. */
export function copyPayload(rows: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + rows.reduce((n, r) => n + r.length, 0) + 2);
  let at = writeHeader(out);
  for (const row of rows) at += row.copy(out, at);
  out.writeInt16BE(-1, at);
  return out;
}
