'use client';
// What became of a single retry: confirmed at once, then, polling the record for RETRY_WATCH_MS,
// whether the message came back to the dead-letter queue (the drain stored a new death: its
// attempts grew) or not. Lists, groups and the detail are refreshed when the answer is known, so
// the page shows the record's new state. Above the dialogs (z-60): it is read while one is open.
// "Not back" alone would read as success when nothing consumed the message at all: the queue it
// went to is then looked at (GET /api/queues). With a consumer it is green; with none, or gone, it
// is amber and says the message is waiting there unprocessed; not known (sent through an exchange,
// the broker unreachable): plain.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { deadLetterSchema, type DeadLetter } from '@/lib/schemas/dead-letters';
import { queuesSchema, type QueueItem } from '@/lib/schemas/queues';
import { fetchJson } from '@/components/hooks/fetch-json';
import { invalidateAfterAction } from '@/components/hooks/use-republish';
import { dismissRetryWatch, useRetryWatches, type RetryWatch } from './retry-watch';

export const RETRY_WATCH_MS = 10_000;
const POLL_MS = 1_000;

type Outcome = 'watching' | 'back' | 'not-back';

/** The queue a retry that did not come back went to, as the broker tells now (undefined: not known). */
type QueueSeen = Pick<QueueItem, 'exists' | 'consumers' | 'messages'> | undefined;

async function lookAtQueue(name: string, signal: AbortSignal): Promise<QueueSeen> {
  try {
    const q = await fetchJson('/api/queues', queuesSchema, signal);
    return q.items.find((i) => i.name === name);
  } catch (err) {
    if (!signal.aborted) console.warn('retry outcome: cannot look at the queue', err);
    return undefined;
  }
}

/** taken: its queue has a consumer; waiting: the queue has none, or is gone; unknown: not looked at */
type NotBack = { text: string; seen: 'taken' | 'waiting' | 'unknown' };

/** What became of a retry that is not back, by its queue's consumers. */
function notBackText(w: RetryWatch, q: QueueSeen): NotBack {
  const after = `Not back after ${RETRY_WATCH_MS / 1000} s`;
  if (!w.queue || !q) return { text: `${after}.`, seen: 'unknown' };
  if (!q.exists) return { text: `${after}, but queue ${w.queue} no longer exists: nothing received it.`, seen: 'waiting' };
  if (q.consumers === 0)
    return {
      text: `${after}, but queue ${w.queue} has no consumer: it waits there unprocessed (${q.messages.toLocaleString('en-US')} ${q.messages === 1 ? 'message' : 'messages'} waiting).`,
      seen: 'waiting',
    };
  return {
    text: `${after}: queue ${w.queue} has ${q.consumers === 1 ? 'a consumer' : `${q.consumers} consumers`} and no new failure came back.`,
    seen: 'taken',
  };
}

function cameBack(w: RetryWatch, d: Pick<DeadLetter, 'attempts' | 'status'>): boolean {
  return w.attemptsBefore !== null ? d.attempts > w.attemptsBefore : d.status === 'pending';
}

function RetryOutcomeNotice({ watch: w }: { watch: RetryWatch }) {
  const [outcome, setOutcome] = useState<Outcome>('watching');
  const [queueSeen, setQueueSeen] = useState<QueueSeen>(undefined);
  const client = useQueryClient();
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = async (o: Outcome) => {
      if (o === 'not-back' && w.queue) setQueueSeen(await lookAtQueue(w.queue, abort.signal));
      if (abort.signal.aborted) return;
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

  const notBack = outcome === 'not-back' ? notBackText(w, queueSeen) : null;
  const tone =
    outcome === 'back'
      ? 'border-rose-200 bg-rose-50 text-rose-900'
      : notBack?.seen === 'waiting'
        ? 'border-amber-300 bg-amber-50 text-amber-900'
        : notBack?.seen === 'taken'
          ? 'border-emerald-200 bg-emerald-50 text-emerald-900'
          : 'border-slate-200 bg-white text-slate-800';
  return (
    <div
      role="status"
      data-testid="retry-outcome"
      data-outcome={outcome}
      data-queue-seen={notBack?.seen}
      data-id={w.id}
      className={`rounded border px-3 py-2 text-sm shadow ${tone}`}
    >
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
              : notBack?.text}
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
