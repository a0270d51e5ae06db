'use client';
// Single retries being watched for their outcome (README, Fix and republish: after a retry). A
// retry's dialog lives in the list row or the detail header, which re-render (and unmount it)
// once the record's status changes; the watch lives here, outside them, and is shown by
// RetryOutcomeNotices in the console's layout.
import { useSyncExternalStore } from 'react';

export interface RetryWatch {
  key: string;
  id: string;
  /** what a person calls the record (its event type) */
  label: string;
  /** the record's attempts when it was sent: one more means the drain stored a new death */
  attemptsBefore: number | null;
  republishCount: number;
  /** the queue it was sent to (a retry to its origin, or through the default exchange); null through an exchange */
  queue: string | null;
  sentAt: number;
}

/** The queue a republish went to, from its resolved target: null when an exchange routed it. */
export function sentToQueue(target: { exchange: string; routingKey: string }): string | null {
  return target.exchange === '' ? target.routingKey : null;
}

const NONE: RetryWatch[] = [];
let watches: RetryWatch[] = NONE;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export function watchRetry(w: Omit<RetryWatch, 'key' | 'sentAt'>): void {
  // one watch per record: a newer retry replaces the older one's
  watches = [...watches.filter((x) => x.id !== w.id), { ...w, key: `${w.id}:${Date.now()}`, sentAt: Date.now() }];
  changed();
}

export function dismissRetryWatch(key: string): void {
  watches = watches.filter((w) => w.key !== key);
  changed();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRetryWatches(): RetryWatch[] {
  return useSyncExternalStore(
    subscribe,
    () => watches,
    () => NONE,
  );
}
