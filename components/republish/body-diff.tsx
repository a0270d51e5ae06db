'use client';
// A unified diff shown line by line (as text), added lines green and removed ones red; past the
// diff's limits (lib/diff/republish-diff.ts) its plain "Too large to diff" message instead.
import { isDiffTooLarge } from '@/lib/diff/republish-diff';

export function BodyDiff({ diff }: { diff: string }) {
  if (isDiffTooLarge(diff)) {
    return (
      <p data-testid="body-diff-too-large" className="rounded border border-slate-200 bg-slate-50 p-2 text-sm text-slate-600">
        {diff}
      </p>
    );
  }
  const lines = diff.split('\n');
  const start = lines.findIndex((l) => l.startsWith('@@'));
  return (
    <pre data-testid="body-diff" className="max-h-80 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 text-xs leading-5">
      {lines.slice(start === -1 ? 0 : start).map((line, i) => (
        <div
          key={i}
          className={
            line.startsWith('+')
              ? 'bg-emerald-50 text-emerald-800'
              : line.startsWith('-')
                ? 'bg-rose-50 text-rose-800'
                : line.startsWith('@@')
                  ? 'text-indigo-600'
                  : 'text-slate-600'
          }
        >
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}
