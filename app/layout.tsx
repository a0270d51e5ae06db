import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { getCurrentActor } from '@/lib/server/auth/page-auth';
import { themeScript } from '@/components/ui/preferences-store';
import './globals.css';

export const metadata: Metadata = {
  title: 'EventDesk',
  description: 'Dead-letter triage for the EduPlatform event bus',
};

// Reading the session makes every page dynamic, which the CSP nonce (proxy.ts) needs anyway.
// The inline script sets the theme class before the first paint (no flash of the wrong theme);
// it runs under the CSP because it carries this response's nonce. <html> is told not to warn
// about the class and style the script changed before hydration.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await getCurrentActor().catch(() => null);
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: themeScript(actor?.name) }} />
      </head>
      <body>
        <Providers actor={actor && { name: actor.name, role: actor.role, kind: actor.kind }}>{children}</Providers>
      </body>
    </html>
  );
}
