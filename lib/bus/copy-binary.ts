// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html): what the
// drain streams into dead_letter_inbox. Binary, so a body travels as its own bytes (no hex text,
// no array literal for the server to parse) and each value costs a length prefix.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC) */
const PG_EPOCH_US = 946_684_800_000_000n;

export type CopyValue = string | Buffer | Date | null;

/** One COPY ... FROM STDIN (FORMAT binary) payload: header, rows, trailer. */
export function encodeCopyBinary(rows: CopyValue[][]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header, 0);
  // flags and header-extension length: both 0
  parts.push(header);
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length, 0);
    parts.push(count);
    for (const value of row) {
      if (value === null) {
        const len = Buffer.alloc(4);
        len.writeInt32BE(-1, 0);
        parts.push(len);
        continue;
      }
      const bytes = encodeValue(value);
      const len = Buffer.alloc(4);
      len.writeInt32BE(bytes.length, 0);
      parts.push(len, bytes);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function encodeValue(value: string | Buffer | Date): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Date) {
    const ms = value.getTime();
    // a time JavaScript cannot hold; PostgreSQL refuses what it cannot hold itself (22008)
    if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(ms) * 1000n - PG_EPOCH_US, 0);
    return b;
  }
  // text and json: UTF-8 text (a lone surrogate becomes U+FFFD, so it is always valid UTF-8)
  return Buffer.from(value, 'utf8');
}
