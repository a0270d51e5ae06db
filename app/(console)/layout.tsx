import type { ReactNode } from 'react';
import { ConsoleNav } from '@/components/console-nav';
import { RetryOutcomeNotices } from '@/components/republish/retry-outcome-notices';
import { requirePageRole } from '@/lib/server/auth/page-auth';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  await requirePageRole('viewer'); // signed out, disabled or ended session: to /sign-in
  return (
    <div className="min-h-full">
      <ConsoleNav />
      <main className="mx-auto max-w-[1600px] px-4 py-4">{children}</main>
      <RetryOutcomeNotices />
    </div>
  );
}
