// Empty, loading and error states: each says what happened and what to do about it.
import type { ReactNode } from 'react';

const tones = {
  empty: 'border-slate-200 bg-white text-slate-700',
  loading: 'border-slate-200 bg-white text-slate-500',
  error: 'border-rose-200 bg-rose-50 text-rose-800',
  warn: 'border-amber-200 bg-amber-50 text-amber-900',
} as const;

export function StateMessage({ tone, title, children, testId }: { tone: keyof typeof tones; title: string; children?: ReactNode; testId?: string }) {
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} data-testid={testId} className={`rounded-md border px-4 py-6 text-center ${tones[tone]}`}>
      <p className="font-medium">{title}</p>
      {children ? <div className="mt-1 text-sm opacity-90">{children}</div> : null}
    </div>
  );
}
