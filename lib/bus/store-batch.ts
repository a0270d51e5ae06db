// One batch, one transaction. If PostgreSQL rejects the data itself (not the connection), the
// batch is split so one unstorable message cannot block the drain: each message is written alone,
// and one that still fails is stored in a degraded form (exact body bytes, headers set aside with
// the reason) rather than lost or left in the queue forever.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { PreparedDeath } from './prepare-dead-letter';
import { writeBatch, type BatchResult } from './write-batch';

async function inTransaction(pool: pg.Pool, deaths: PreparedDeath[]): Promise<BatchResult> {
  const client = await pool.connect();
  // A backend killed between two statements makes a checked-out client emit 'error'; the pool
  // only listens on idle ones, so without this the process would crash instead of retrying.
  const onError = () => {};
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await writeBatch(client, deaths);
    await client.query('COMMIT');
    client.off('error', onError);
    client.release();
    return result;
  } catch (err) {
    // A broken connection is destroyed rather than returned to the pool.
    await client.query('ROLLBACK').catch(() => {});
    client.off('error', onError);
    client.release(err as Error);
    throw err;
  }
}

/** SQLSTATE classes that mean "this data", not "this connection": 22 data exception, 54 limits. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

function degrade(d: PreparedDeath, reason: string): PreparedDeath {
  return {
    ...d,
    headers: JSON.stringify({ 'x-eventdesk-unstorable': `headers could not be stored: ${reason}`.replace(/[^\x20-\x7e]/g, '?') }),
    properties: '{}',
    deaths: [],
    violations: '[]',
    searchText: '',
    errorMessage: d.errorMessage?.replace(/[^\x20-\x7e]/g, '?') ?? null,
  };
}

export async function storeBatch(pool: pg.Pool, deaths: PreparedDeath[], log: Logger): Promise<BatchResult> {
  try {
    return await inTransaction(pool, deaths);
  } catch (err) {
    if (!isDataError(err)) throw err;
    log.warn({ err: (err as Error).message, size: deaths.length }, 'batch rejected by the database; writing its messages one by one');
  }
  const total: BatchResult = { stored: 0, duplicates: 0, newRecords: 0 };
  for (const d of deaths) {
    let result: BatchResult;
    try {
      result = await inTransaction(pool, [d]);
    } catch (err) {
      if (!isDataError(err)) throw err;
      log.error({ eventId: d.eventId, correlationId: d.correlationId, err: (err as Error).message }, 'message rejected by the database; storing it without headers');
      result = await inTransaction(pool, [degrade(d, (err as Error).message)]);
    }
    total.stored += result.stored;
    total.duplicates += result.duplicates;
    total.newRecords += result.newRecords;
  }
  return total;
}
