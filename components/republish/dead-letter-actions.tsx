'use client';
// The detail header's actions, by status and role: pending -> Retry, Edit & retry, Discard;
// republished or discarded -> Restore; unreadable (parked by the drain) -> Retry store, Discard.
// Viewers see none (the API refuses them anyway).
import { useHasRole } from '@/components/auth/actor-context';
import type { DeadLetterDetail } from '@/lib/schemas/dead-letters';
import { EditRetryButton } from './edit-retry-button';
import { RetryButton } from './retry-button';
import { DiscardButton, RestoreButton } from './status-buttons';
import { UnreadableActions } from './unreadable-actions';

export function RepublishActions({ deadLetter: d }: { deadLetter: DeadLetterDetail }) {
  const operator = useHasRole('operator');
  const admin = useHasRole('admin');
  if (!operator) return null;
  if (d.status === 'unreadable') return <UnreadableActions id={d.id} />;
  if (d.status !== 'pending') {
    return (
      <div className="flex flex-wrap items-center gap-2" data-testid="republish-actions">
        <RestoreButton id={d.id} />
      </div>
    );
  }
  const editable =
    d.body.encoding === 'utf8'
      ? {
          id: d.id,
          queue: d.queue,
          eventType: d.eventType,
          routingKey: d.routingKey,
          eventId: d.eventId,
          version: d.version,
          attempts: d.attempts,
          bodyText: d.body.data,
        }
      : null;
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="republish-actions">
      <RetryButton
        id={d.id}
        queue={d.queue}
        label={d.eventType ?? d.id}
        canForce={admin}
        attempts={d.attempts}
        validity={{ status: d.validation.status, violations: d.validation.violations.length }}
      />
      <EditRetryButton deadLetter={editable} canForce={admin} />
      <DiscardButton id={d.id} />
    </div>
  );
}
