'use client';
// The list row's one-click Retry (pending rows, operators and admins).
import { useHasRole } from '@/components/auth/actor-context';
import type { DeadLetter } from '@/lib/schemas/dead-letters';
import { RetryButton } from './retry-button';

export function RowRetry({ deadLetter: d }: { deadLetter: DeadLetter }) {
  const operator = useHasRole('operator');
  const admin = useHasRole('admin');
  if (!operator || d.status !== 'pending') return null;
  return (
    <RetryButton
      id={d.id}
      queue={d.queue}
      label={d.eventType ?? d.id}
      canForce={admin}
      attempts={d.attempts}
      validity={{ status: d.validationStatus }}
      compact
    />
  );
}
