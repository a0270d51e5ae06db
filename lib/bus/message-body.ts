// Stored message bodies read without one multi-MB row: RabbitMQ lets a body reach 128 MB, and
// one `SELECT body` of 20 MB held the event loop ~450-800 ms here (pg's parser doubling its
// buffer and copying, the 40 MB hex text, its decoding). Queries inline a body only up to
// INLINE_BODY_BYTES; a bigger one is read in BODY_PIECE_BYTES pieces into one buffer.
import type { Queryable } from './with-client';

export const INLINE_BODY_BYTES = 1024 * 1024;
/** Bytes per query; a multiple of 3, so base64 of the pieces joins into the base64 of the whole. */
export const BODY_PIECE_BYTES = 3 * 349_525;

/** A select-list expression: the body when it is small enough to read inline, else NULL. */
export function inlineBody(column: string): string {
  return `CASE WHEN octet_length(${column}) <= ${INLINE_BODY_BYTES} THEN ${column} END`;
}

/** Row fields a query selecting inlineBody() also selects, to fetch a big body afterwards. */
export interface BodyRef {
  body: Buffer | null;
  /** dead_letter_messages.id */
  messageId: string | null;
  bodySize: number | null;
}

/** The body of dead_letter_messages row `messageId`, one query per BODY_PIECE_BYTES piece, in order. */
export async function* bodyPieces(client: Queryable, messageId: string | bigint): AsyncGenerator<Buffer> {
  for (let offset = 0; ; offset += BODY_PIECE_BYTES) {
    const { rows } = await client.query<{ piece: Uint8Array | null }>(
      `SELECT substring("body" FROM $2::int FOR $3::int) AS "piece" FROM "dead_letter_messages" WHERE "id" = $1::bigint`,
      [String(messageId), offset + 1, BODY_PIECE_BYTES],
    );
    const raw = rows[0]?.piece ?? new Uint8Array();
    const piece = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (piece.length) yield piece;
    if (piece.length < BODY_PIECE_BYTES) return;
  }
}

/** The body of dead_letter_messages row `messageId`, `size` bytes, read piece by piece into one buffer. */
export async function readBodyInPieces(client: Queryable, messageId: string, size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size); // its pages are touched a piece at a time
  let offset = 0;
  for await (const piece of bodyPieces(client, messageId)) offset += piece.copy(out, offset);
  if (offset !== size) throw new Error(`message ${messageId}: body of ${offset} bytes, not its ${size}`);
  return out;
}

/** Fills in `body` of the rows whose body was too big to inline (inlineBody gave NULL). */
export async function fillBigBodies<T extends BodyRef>(client: Queryable, rows: T[]): Promise<T[]> {
  for (const row of rows) {
    if (row.body === null && row.messageId !== null && row.bodySize !== null && Number(row.bodySize) > 0) {
      row.body = await readBodyInPieces(client, row.messageId, Number(row.bodySize));
    }
  }
  return rows;
}
