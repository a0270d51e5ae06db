'use client';
// What a transform would do to the selection (the server's dry run with the transform): how many
// bodies would change, stay the same, break their contract, fail, or fail a patch `test`; then
// up to 20 of them, changed and failing ones first, each with its diff (as text, like the single
// edit's review), its contract violations and its error.
import type { BulkTransformDryRunResponse, TransformOutcome } from '@/lib/schemas/bulk';
import { BodyDiff } from '@/components/republish/body-diff';
import { Badge, type Tone } from '@/components/ui/badge';

const OUTCOMES: Record<TransformOutcome, { label: string; tone: Tone }> = {
  change: { label: 'would change', tone: 'info' },
  unchanged: { label: 'unchanged', tone: 'neutral' },
  break: { label: 'breaks the contract', tone: 'warn' },
  error: { label: 'transform error', tone: 'bad' },
  'test-failed': { label: 'patch test failed', tone: 'bad' },
};

/** Of those that break: how many the transform changed (still breaking) and how many it did not touch. */
function breakSplit(p: BulkTransformDryRunResponse): string {
  const untouched = p.wouldBreakUnchanged;
  const changed = p.wouldBreak - untouched;
  if (!untouched)
    return `The transform changed ${changed === 1 ? 'it' : `all ${changed.toLocaleString()}`}, and ${changed === 1 ? 'it still breaks' : 'they still break'}: see the violations below.`;
  if (!changed)
    return `The transform left ${untouched === 1 ? 'it' : `all ${untouched.toLocaleString()}`} as ${untouched === 1 ? 'it was' : 'they were'}: check its paths against the bodies below.`;
  return `The transform changed ${changed.toLocaleString()} of them (still breaking) and left ${untouched.toLocaleString()} as they were.`;
}

export function TransformPreview({ preview, force }: { preview: BulkTransformDryRunResponse; force: boolean }) {
  const counts: [string, number, string][] = [
    ['would change', preview.wouldChange, 'would-change'],
    ['unchanged', preview.unchanged, 'unchanged'],
    ['would break the contract', preview.wouldBreak, 'would-break'],
    ['transform errors', preview.errors, 'errors'],
    ['patch test failed', preview.testFailed, 'test-failed'],
  ];
  return (
    <div className="mt-3 space-y-2" data-testid="transform-preview">
      <p className="text-sm">
        Preview over all <strong>{preview.count.toLocaleString()}</strong> dead letter{preview.count === 1 ? '' : 's'} (nothing is sent):
      </p>
      <dl className="grid grid-cols-5 gap-2 text-center">
        {counts.map(([label, n, id]) => (
          <div key={id} className="rounded bg-slate-50 p-1">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className={`font-mono ${n && id !== 'would-change' && id !== 'unchanged' ? 'text-rose-700' : ''}`} data-testid={`preview-${id}`}>
              {n.toLocaleString()}
            </dd>
          </div>
        ))}
      </dl>
      {preview.wouldBreak ? (
        <p className="rounded border border-amber-200 bg-amber-50 px-2 py-1 text-sm text-amber-900" data-testid="preview-break-note">
          {force
            ? `Force is on: the ${preview.wouldBreak.toLocaleString()} that break the contract are sent anyway.`
            : `The ${preview.wouldBreak.toLocaleString()} that would break the contract are skipped, not sent.`}{' '}
          {breakSplit(preview)}
        </p>
      ) : null}
      {preview.errors + preview.testFailed ? (
        <p className="rounded border border-rose-200 bg-rose-50 px-2 py-1 text-sm text-rose-800">
          {(() => {
            const n = preview.errors + preview.testFailed;
            return `${n.toLocaleString()} ${n === 1 ? 'message' : 'messages'} the transform fails on ${n === 1 ? 'is' : 'are'} skipped, not sent.`;
          })()}
        </p>
      ) : null}
      {preview.sample.length ? (
        <ol className="max-h-[28rem] space-y-3 overflow-auto pr-1" data-testid="transform-sample">
          {preview.sample.map((s) => (
            <li key={s.id} className="border-t border-slate-100 pt-2 text-sm" data-testid="transform-sample-item">
              <div className="flex flex-wrap items-center gap-2 text-xs">
                <Badge tone={OUTCOMES[s.outcome].tone}>{OUTCOMES[s.outcome].label}</Badge>
                <span>{s.eventType ?? 'unknown type'}</span>
                <span className="font-mono text-slate-500">{s.eventId ?? s.id}</span>
                <span className="text-slate-500">{s.queue}</span>
              </div>
              {s.error ? <p className="mt-1 text-xs text-rose-700">{s.error}</p> : null}
              {s.validation?.violations.length ? (
                <ul className="mt-1 text-xs text-amber-900">
                  {s.validation.violations.map((v) => (
                    <li key={v.path + v.message}>
                      <code>{v.path}</code>: {v.message}
                    </li>
                  ))}
                </ul>
              ) : null}
              {s.diff !== null && s.outcome !== 'unchanged' ? (
                <div className="mt-1">
                  <BodyDiff diff={s.diff} />
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
