// Query results in PostgreSQL's binary format, for reads that carry message bodies in bulk.
// In the text format a bytea arrives as hex (twice its size), which the server encodes and
// node-postgres decodes again; in the binary format it is the raw bytes. Measured on a bulk
// republish batch of 5,000 ~1 KB bodies read alone: 58 -> 48 ms, and Node no longer builds a
// hex string of twice the body's size per row.
//
// Only the types below have binary parsers here: select other columns cast to text (uuid::text,
// json::text) and parse them yourself. Anything else fails loudly instead of arriving as bytes.
import pg from 'pg';

const TEXT = 25;
const BYTEA = 17;
const INT4 = 23;
const INT8 = 20;
const BOOL = 16;

const parsers: Record<number, (value: Buffer) => unknown> = {
  // The driver hands out views of its read buffer, which it reuses for later messages: copy.
  [BYTEA]: (value) => Buffer.from(value),
};

export const BINARY_RESULT_TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (format !== 'binary') return pg.types.getTypeParser(oid);
    const own = parsers[oid];
    if (own) return own;
    if (oid === TEXT || oid === INT4 || oid === INT8 || oid === BOOL) return pg.types.getTypeParser(oid, 'binary');
    return () => {
      throw new Error(`binary result: no parser for type oid ${oid}; cast the column to text`);
    };
  },
};

/** A query whose rows come back in the binary format (see above). */
export function binaryQuery(text: string, values: unknown[]): pg.QueryConfig {
  return { text, values, binary: true, types: BINARY_RESULT_TYPES } as pg.QueryConfig;
}
