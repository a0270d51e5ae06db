// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html): what the
// drain streams into dead_letter_inbox. Binary, so a body travels as its own bytes (no hex text,
// no array literal for the server to parse) and each value costs a length prefix.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC) */
const PG_EPOCH_US = 946_684_800_000_000n;

export type CopyValue = string | Buffer | Date | null;

/**
 * One COPY ... FROM STDIN (FORMAT binary) payload: header, rows, trailer. Written into one buffer
 * sized up front (the drain encodes every message it stores here: no per-value allocations).
 */
export function encodeCopyBinary(rows: CopyValue[][]): Buffer {
  let size = SIGNATURE.length + 8 + 2;
  for (const row of rows) {
    size += 2;
    for (const v of row) size += 4 + (v === null ? 0 : v instanceof Date ? 8 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  // flags and header-extension length: both 0
  at = out.writeInt32BE(0, at);
  at = out.writeInt32BE(0, at);
  for (const row of rows) {
    at = out.writeInt16BE(row.length, at);
    for (const value of row) {
      if (value === null) {
        at = out.writeInt32BE(-1, at);
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
        at += value.copy(out, at);
      }
    }
  }
  out.writeInt16BE(-1, at);
  return out;
}
