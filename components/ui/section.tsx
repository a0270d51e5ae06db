import type { ReactNode } from 'react';

export function Section({
  title,
  children,
  aside,
  testId,
  id,
}: {
  title: string;
  children: ReactNode;
  aside?: ReactNode;
  testId?: string;
  /** an anchor to link to (#id) */
  id?: string;
}) {
  return (
    <section className="scroll-mt-4 rounded-md border border-slate-200 bg-white" data-testid={testId} aria-label={title} id={id}>
      <header className="flex items-center justify-between border-b border-slate-100 px-3 py-2">
        <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
        {aside}
      </header>
      <div className="p-3">{children}</div>
    </section>
  );
}
