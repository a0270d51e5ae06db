'use client';
// What became of a single retry: confirmed at once, then, polling the record for RETRY_WATCH_MS,
// whether the message came back to the dead-letter queue (the drain stored a new death: its
// attempts grew) or not. Lists, groups and the detail are refreshed when the answer is known, so
// the page shows the record's new state. Above the dialogs (z-60): it is read while one is open.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { deadLetterSchema, type DeadLetter } from '@/lib/schemas/dead-letters';
import { fetchJson } from '@/components/hooks/fetch-json';
import { invalidateAfterAction } from '@/components/hooks/use-republish';
import { dismissRetryWatch, useRetryWatches, type RetryWatch } from './retry-watch';

export const RETRY_WATCH_MS = 10_000;
const POLL_MS = 1_000;

type Outcome = 'watching' | 'back' | 'not-back';

function cameBack(w: RetryWatch, d: Pick<DeadLetter, 'attempts' | 'status'>): boolean {
  return w.attemptsBefore !== null ? d.attempts > w.attemptsBefore : d.status === 'pending';
}

function RetryOutcomeNotice({ watch: w }: { watch: RetryWatch }) {
  const [outcome, setOutcome] = useState<Outcome>('watching');
  const client = useQueryClient();
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (o: Outcome) => {
      setOutcome(o);
      invalidateAfterAction(client);
    };
    const poll = async () => {
      try {
        // the detail's schema parses too: the list's fields are a subset of it
        const d = await fetchJson(`/api/dead-letters/${encodeURIComponent(w.id)}`, deadLetterSchema, abort.signal);
        if (cameBack(w, d)) return settle('back');
      } catch (err) {
        if (abort.signal.aborted) return;
        // a failed poll (network, 503) is only a missed look: the next one asks again
        console.warn('retry outcome poll failed', err);
      }
      if (Date.now() - w.sentAt >= RETRY_WATCH_MS) return settle('not-back');
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [w, client]);

  const tone =
    outcome === 'back'
      ? 'border-rose-200 bg-rose-50 text-rose-900'
      : outcome === 'not-back'
        ? 'border-emerald-200 bg-emerald-50 text-emerald-900'
        : 'border-slate-200 bg-white text-slate-800';
  return (
    <div role="status" data-testid="retry-outcome" data-outcome={outcome} data-id={w.id} className={`rounded border px-3 py-2 text-sm shadow ${tone}`}>
      <div className="flex items-start justify-between gap-2">
        <p>
          <Link href={`/dead-letters/${encodeURIComponent(w.id)}`} className="font-medium underline">
            {w.label}
          </Link>{' '}
          republished (attempt {w.republishCount}).{' '}
          {outcome === 'watching'
            ? `Watching ${RETRY_WATCH_MS / 1000} s for whether it comes back…`
            : outcome === 'back'
              ? 'It died again after retry: the consumer still fails on it.'
              : `Not back after ${RETRY_WATCH_MS / 1000} s.`}
        </p>
        <button type="button" aria-label="Dismiss" onClick={() => dismissRetryWatch(w.key)} className="rounded px-1 text-slate-500 hover:bg-slate-100">
          ×
        </button>
      </div>
    </div>
  );
}

export function RetryOutcomeNotices() {
  const watches = useRetryWatches();
  if (!watches.length) return null;
  return (
    <div className="fixed bottom-4 right-4 z-[60] flex w-96 flex-col gap-2" data-testid="retry-outcomes">
      {watches.map((w) => (
        <RetryOutcomeNotice key={w.key} watch={w} />
      ))}
    </div>
  );
}
