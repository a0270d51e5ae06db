'use client';
// QueryClient defaults, set once: polling screens keep previous data while refetching.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ActorProvider } from '@/components/auth/actor-context';
import type { Me } from '@/lib/schemas/users';

export function Providers({ children, actor = null }: { children: ReactNode; actor?: Me | null }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: true },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ActorProvider actor={actor}>{children}</ActorProvider>
    </QueryClientProvider>
  );
}
