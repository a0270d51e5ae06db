// One batch, one transaction. A transient failure (connection, shutdown, conflict, timeout) is
// thrown: the drainer keeps the batch unacked and retries it with backoff. A failure caused by the
// data is isolated by bisection: the batch is split in halves, each written in its own
// transaction, down to the single message at fault, which is tried MAX_TRIES times in all and then
// handed back as unstorable, for the drainer to park. The good messages of the batch are stored
// either way; fingerprints make a retried half that had committed insert nothing twice.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { InboxDeath } from './inbox-row';
import { isTransientStoreError, storeErrorText } from './store-errors';
import { writeRaw, type BatchResult } from './write-raw';
import { withClient } from './with-client';

/** Tries a single message gets before it is parked (non-transient failures only). */
export const MAX_TRIES = 3;

export interface Unstorable {
  death: InboxDeath;
  reason: string;
}

export interface StoreResult extends BatchResult {
  /** messages that could not be read or stored: to be parked before the batch is acked */
  unstorable: Unstorable[];
}

/** writeRaw commits on its own (a single COPY, or its own transaction). */
const writeOnce = (pool: pg.Pool, deaths: InboxDeath[], dlq: string): Promise<BatchResult> => withClient(pool, (client) => writeRaw(client, deaths, dlq));

/** `dlq`: the DLQ these deaths were drained from (written to each record they touch). */
export async function storeBatch(pool: pg.Pool, deaths: InboxDeath[], log: Logger, dlq: string): Promise<StoreResult> {
  const total: StoreResult = { stored: 0, duplicates: 0, newRecords: 0, unstorable: [] };
  // what prepare could not read is not offered to the database at all
  for (const d of deaths) if (d.unreadable && !d.done) total.unstorable.push({ death: d, reason: d.unreadable });
  const readable = deaths.filter((d) => !d.unreadable && !d.done);
  if (readable.length) await storeSplitting(pool, readable, log, total, dlq);
  return total;
}

function add(total: StoreResult, r: BatchResult) {
  total.stored += r.stored;
  total.duplicates += r.duplicates;
  total.newRecords += r.newRecords;
}

async function storeSplitting(pool: pg.Pool, deaths: InboxDeath[], log: Logger, total: StoreResult, dlq: string): Promise<void> {
  let lastError: unknown;
  const tries = deaths.length === 1 ? MAX_TRIES : 1;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      add(total, await writeOnce(pool, deaths, dlq));
      // committed: a retry of the batch (a later half failing transiently) must not write these
      // again, where a first delivery identical to a stored one would count as a new death
      for (const d of deaths) d.done = true;
      return;
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      lastError = err;
    }
  }
  const reason = storeErrorText(lastError);
  if (deaths.length === 1) {
    const d = deaths[0];
    log.error({ fingerprint: d.fingerprint, err: reason, tries }, 'message refused by the database; parking it');
    total.unstorable.push({ death: d, reason: `refused by the database after ${tries} tries: ${reason}` });
    return;
  }
  log.warn({ err: reason, size: deaths.length }, 'batch refused by the database; splitting it to find the message at fault');
  const half = Math.ceil(deaths.length / 2);
  await storeSplitting(pool, deaths.slice(0, half), log, total, dlq);
  await storeSplitting(pool, deaths.slice(half), log, total, dlq);
}
