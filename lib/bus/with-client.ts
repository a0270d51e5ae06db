// One pool client for a unit of work, as the drain and the derivation use it: a backend killed
// between two statements makes a checked-out client emit 'error' (the pool only listens on idle
// ones), so it is listened to here, else the process would crash instead of retrying; on failure
// an open transaction is rolled back and the client destroyed rather than returned to the pool.
import type pg from 'pg';
import { ignoreClosing } from './ignore-closing';

/** pg.Pool, pg.Client, or an adapter over Prisma's $queryRawUnsafe (lib/server/db.ts). */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const onError = () => {};
  client.on('error', onError);
  try {
    const result = await fn(client);
    client.off('error', onError);
    client.release();
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(ignoreClosing);
    client.off('error', onError);
    client.release(err as Error);
    throw err;
  }
}
