// The event's history in EventDesk: dead-lettered, failed again, republished, discarded, by
// whom and why, each entry a sentence (describe-history.ts) with its raw JSON behind a toggle.
import type { HistoryEntry } from '@/lib/schemas/dead-letters';
import { BodyDiff } from '@/components/republish/body-diff';
import { Section } from '@/components/ui/section';
import { formatTime } from '@/components/ui/format';
import { FactList, RawToggle } from '@/components/ui/raw-json';
import { isRecord } from '@/components/ui/describe-values';
import { describeHistory } from './describe-history';
import { visibleText } from '@/components/ui/visible-text';

function Entry({ entry }: { entry: HistoryEntry }) {
  const described = describeHistory(entry);
  // an edit's diff shown as a diff (or its "Too large to diff" message)
  const diff = isRecord(entry.details) && typeof entry.details.diff === 'string' ? entry.details.diff : null;
  // a body edited by a transforming bulk job: which job (its id is in the bulk job's audit)
  const editedBy = entry.action === 'republished' && isRecord(entry.details) && entry.details.edited === true ? described.bulkJobId : undefined;
  return (
    <li className="text-sm" data-testid="history-entry" data-action={entry.action}>
      <span className="tabular-nums text-xs text-slate-500">{formatTime(entry.at)}</span>{' '}
      <span data-testid="history-sentence" title={described.bulkJobId}>
        {visibleText(described.sentence)}
      </span>
      {entry.reason ? <span className="text-slate-600"> — “{visibleText(entry.reason)}”</span> : null}
      <RawToggle value={entry} />
      {described.facts.length || diff !== null || editedBy ? (
        <div className="mt-0.5 space-y-1">
          {editedBy ? (
            <p className="text-xs text-slate-600" data-testid="history-bulk-edit" title={editedBy}>
              Edited by bulk job <span className="font-mono">{editedBy.slice(0, 8)}</span>
            </p>
          ) : null}
          <FactList facts={described.facts} />
          {diff !== null ? <BodyDiff diff={diff} /> : null}
        </div>
      ) : null}
    </li>
  );
}

export function HistoryList({ history }: { history: HistoryEntry[] }) {
  return (
    <Section title="History" testId="history" id="history">
      {history.length === 0 ? (
        <p className="text-sm text-slate-500">No history recorded.</p>
      ) : (
        <ol className="space-y-2">
          {history.map((h, i) => (
            <Entry key={i} entry={h} />
          ))}
        </ol>
      )}
    </Section>
  );
}
