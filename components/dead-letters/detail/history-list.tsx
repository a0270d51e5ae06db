// The event's history in EventDesk: dead-lettered, failed again, republished, discarded, by
// whom and why.
import type { HistoryEntry } from '@/lib/schemas/dead-letters';
import { BodyDiff } from '@/components/republish/body-diff';
import { Section } from '@/components/ui/section';
import { formatTime } from '@/components/ui/format';

/** An edit's diff shown as a diff (or its "Too large to diff" message), the other details as JSON. */
function Details({ action, details }: { action: string; details: unknown }) {
  const { diff, ...rest } = (details && typeof details === 'object' && !Array.isArray(details) ? details : { value: details }) as Record<string, unknown>;
  // a body edited by a transforming bulk job: say which job (its id is in the bulk job's audit)
  const bulkJobId = action === 'republished' && typeof rest.bulkJobId === 'string' && rest.edited === true ? rest.bulkJobId : null;
  return (
    <div className="mt-0.5 space-y-1">
      {bulkJobId ? (
        <p className="text-xs text-slate-600" data-testid="history-bulk-edit" title={bulkJobId}>
          Edited by bulk job <span className="font-mono">{bulkJobId.slice(0, 8)}</span>
        </p>
      ) : null}
      {typeof diff === 'string' ? <BodyDiff diff={diff} /> : null}
      {Object.keys(rest).length ? <pre className="whitespace-pre-wrap break-all font-mono text-[11px] text-slate-500">{JSON.stringify(rest)}</pre> : null}
    </div>
  );
}

export function HistoryList({ history }: { history: HistoryEntry[] }) {
  return (
    <Section title="History" testId="history">
      {history.length === 0 ? (
        <p className="text-sm text-slate-500">No history recorded.</p>
      ) : (
        <ol className="space-y-2">
          {history.map((h, i) => (
            <li key={i} className="text-sm" data-testid="history-entry">
              <span className="tabular-nums text-xs text-slate-500">{formatTime(h.at)}</span> <span className="font-medium">{h.action}</span> by{' '}
              <span className="font-mono text-xs">{h.actor}</span>
              {h.reason ? <span className="text-slate-600"> — “{h.reason}”</span> : null}
              {h.details !== null && h.details !== undefined ? <Details action={h.action} details={h.details} /> : null}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
