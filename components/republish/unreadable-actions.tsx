'use client';
// An unreadable (parked) dead letter's actions: Retry store runs the drain's prepare and store on
// its stored bytes again (on success it becomes a pending dead letter under a new id, so the page
// moves there); Discard as for any dead letter.
import { useRouter } from 'next/navigation';
import { useRetryUnreadable } from '@/components/hooks/use-retry-unreadable';
import { buttonClass, ErrorNote } from './modal';
import { DiscardButton } from './status-buttons';

export function UnreadableActions({ id }: { id: string }) {
  const router = useRouter();
  const retry = useRetryUnreadable(id);
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="unreadable-actions">
      <span>
        <button
          type="button"
          className={buttonClass.secondary}
          disabled={retry.isPending}
          data-testid="retry-unreadable"
          onClick={() => retry.mutate(undefined, { onSuccess: (r) => router.replace(`/dead-letters/${encodeURIComponent(r.id)}`) })}
        >
          Retry store
        </button>
        <ErrorNote error={retry.error} />
      </span>
      <DiscardButton id={id} />
    </div>
  );
}
