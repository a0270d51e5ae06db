// A streamed export (CSV or NDJSON) read from PostgreSQL in keyset pages: the stream asks for the
// next page only when the client has taken the previous one (pull, one page queued at most), so a
// slow client holds at most a page in memory and a client that goes away (the request's signal,
// or the stream cancelled) stops the export before its next query.
import 'server-only';
import { logger } from '@/lib/log';
import type { Actor } from '@/lib/server/auth/authorize';
import { maskForActorAsync } from '@/lib/server/auth/mask';
import type { ExportFormat } from '@/lib/schemas/export';
import { csvLine } from './csv';

/** rows per keyset query */
export const EXPORT_PAGE_SIZE = 1_000;

export interface ExportSource<Row, Key> {
  /** up to `limit` rows after `after` (null: from the start), in the export's order */
  page: (after: Key | null, limit: number) => Promise<Row[]>;
  /** the keyset position of a row (the next page starts after it) */
  key: (row: Row) => Key;
  /** the row as the JSON API gives it (masked for viewers like the API's answer) */
  record: (row: Row) => Record<string, unknown>;
  /** CSV header, in order; each record's values are written under them */
  columns: readonly string[];
  /** a record's CSV value for a column (default: the value itself; objects become JSON text) */
  csvValue?: (record: Record<string, unknown>, column: string) => unknown;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** 2026-12-05T20:34:03.123Z -> 20261205T203403Z */
export function exportFileName(prefix: string, format: ExportFormat, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${prefix}-${stamp}.${format}`;
}

/**
 * The export as a stream, its first page read before it is returned: a query that fails at once
 * (the database down, a search PostgreSQL refuses) makes the route answer with its error status,
 * where the answer was a 200 whose file stopped after the CSV header (found by a probe). A page
 * that fails later can only cut the stream short (the status is sent): the client sees the
 * connection end before the file's end.
 */
export async function exportStream<Row, Key>(
  source: ExportSource<Row, Key>,
  format: ExportFormat,
  actor: Pick<Actor, 'role'>,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  let first: Row[] | null = await source.page(null, EXPORT_PAGE_SIZE);
  let after: Key | null = null;
  let started = false;
  let done = false;
  const csvValue = source.csvValue ?? ((r: Record<string, unknown>, c: string) => r[c]);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started && format === 'csv') {
          started = true;
          controller.enqueue(encoder.encode(csvLine(source.columns)));
          return;
        }
        started = true;
        if (done || signal?.aborted) {
          done = true;
          return controller.close();
        }
        let rows: Row[];
        try {
          rows = first ?? (await source.page(after, EXPORT_PAGE_SIZE));
          first = null;
        } catch (err) {
          logger.warn({ err }, 'export stopped: a page query failed');
          return controller.error(err);
        }
        if (signal?.aborted) return controller.close();
        if (rows.length < EXPORT_PAGE_SIZE) done = true;
        if (rows.length === 0) return controller.close();
        after = source.key(rows[rows.length - 1]);
        const records = await maskForActorAsync(actor, rows.map(source.record));
        const text =
          format === 'csv'
            ? records.map((r) => csvLine(source.columns.map((c) => csvValue(r, c)))).join('')
            : records.map((r) => `${JSON.stringify(r)}\n`).join('');
        controller.enqueue(encoder.encode(text));
        if (done) controller.close();
      },
      cancel() {
        done = true; // the client went away: no further page is read
      },
    },
    { highWaterMark: 1 },
  );
}

/** The attachment response of an export. */
export function exportResponse(body: ReadableStream<Uint8Array>, format: ExportFormat, prefix: string): Response {
  return new Response(body, {
    headers: {
      'content-type': EXPORT_CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${exportFileName(prefix, format)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
