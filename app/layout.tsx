import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { getCurrentActor } from '@/lib/server/auth/page-auth';
import './globals.css';

export const metadata: Metadata = {
  title: 'EventDesk',
  description: 'Dead-letter triage for the EduPlatform event bus',
};

// Reading the session makes every page dynamic, which the CSP nonce (proxy.ts) needs anyway.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await getCurrentActor().catch(() => null);
  return (
    <html lang="en">
      <body>
        <Providers actor={actor && { name: actor.name, role: actor.role, kind: actor.kind }}>{children}</Providers>
      </body>
    </html>
  );
}
