'use client';
// A unified diff shown line by line (as text), added lines green and removed ones red.
export function BodyDiff({ diff }: { diff: string }) {
  const lines = diff.split('\n').slice(2); // drop the ---/+++ file header
  return (
    <pre data-testid="body-diff" className="max-h-80 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 text-xs leading-5">
      {lines.map((line, i) => (
        <div
          key={i}
          className={line.startsWith('+') ? 'bg-emerald-50 text-emerald-800' : line.startsWith('-') ? 'bg-rose-50 text-rose-800' : line.startsWith('@@') ? 'text-indigo-600' : 'text-slate-600'}
        >
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}
