// What the drain keeps of its reading of a message beside the raw bytes (the inbox's "prepared"
// column), so the derivation can build the record without parsing, validating or hashing again.
// Body, properties, headers and fingerprint have columns of their own.
import type { PreparedDeath } from './prepare-dead-letter';

export type InboxPrepared = Omit<PreparedDeath, 'body' | 'properties' | 'headers' | 'fingerprint' | 'failedAt' | 'searchText' | 'unreadable' | 'done'>;

export function toInboxPrepared(d: PreparedDeath): string {
  const { body: _b, properties: _p, headers: _h, fingerprint: _f, failedAt: _a, searchText: _s, unreadable: _u, done: _d, ...rest } = d;
  return JSON.stringify(rest satisfies InboxPrepared);
}

const noBody = Buffer.alloc(0);

/** A stored inbox row as a death (no body nor text: the caller adds what it needs). */
export function fromInboxRow(row: { tx: string; id: string; fingerprint: string; failed_at: Date; prepared: InboxPrepared }): PreparedDeath {
  const p = row.prepared;
  return {
    ...p,
    failedAt: new Date(row.failed_at),
    fingerprint: row.fingerprint,
    body: noBody,
    searchText: '',
    properties: '',
    headers: '',
    unreadable: null,
  };
}
