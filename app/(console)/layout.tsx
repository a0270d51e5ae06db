import type { ReactNode } from 'react';
import { ConsoleNav } from '@/components/console-nav';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-full">
      <ConsoleNav />
      <main className="mx-auto max-w-[1600px] px-4 py-4">{children}</main>
    </div>
  );
}
