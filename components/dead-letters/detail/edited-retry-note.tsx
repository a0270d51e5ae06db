// Above the body after an Edit & retry: the body shown is the one that died, not the one sent.
// Said while the latest thing that happened to the record is a republish with an edited body (a
// new death since then brings its own body, shown as received); the edit's changes are in History.
import { formatTime } from '@/components/ui/format';
import { isRecord } from '@/components/ui/describe-values';
import type { HistoryEntry } from '@/lib/schemas/dead-letters';

const DEATHS = new Set(['dead-lettered', 'failed-again']);

/** The latest republish, when it sent an edited body and no death came after it. */
export function lastEditedRetry(history: HistoryEntry[]): HistoryEntry | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (DEATHS.has(h.action)) return null;
    if (h.action === 'republished') return isRecord(h.details) && h.details.edited === true ? h : null;
  }
  return null;
}

export function EditedRetryNote({ history }: { history: HistoryEntry[] }) {
  const edited = lastEditedRetry(history);
  if (!edited) return null;
  return (
    <p role="note" data-testid="edited-retry-note" className="rounded border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900">
      The body below is the message as it died. The retry of {formatTime(edited.at)} sent an edited body: its changes are under{' '}
      <a href="#history" className="underline">
        History
      </a>
      .
    </p>
  );
}
