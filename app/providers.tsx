'use client';
// QueryClient defaults, set once: polling screens keep previous data while refetching.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ActorProvider } from '@/components/auth/actor-context';
import { onSessionEnded } from '@/components/auth/on-session-ended';
import { PreferencesProvider } from '@/components/ui/preferences';
import type { Me } from '@/lib/schemas/users';

export function Providers({ children, actor = null }: { children: ReactNode; actor?: Me | null }) {
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: onSessionEnded }),
        mutationCache: new MutationCache({ onError: onSessionEnded }),
        defaultOptions: {
          queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: true },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ActorProvider actor={actor}>
        <PreferencesProvider>{children}</PreferencesProvider>
      </ActorProvider>
    </QueryClientProvider>
  );
}
