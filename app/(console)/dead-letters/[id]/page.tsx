// `/dead-letters/<id>`: one dead letter.
import { Suspense } from 'react';
import { DeadLetterDetailView } from '@/components/dead-letters/detail/dead-letter-detail-view';
import { StateMessage } from '@/components/ui/state-message';

export default async function DeadLetterPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={<StateMessage tone="loading" title="Loading dead letter…" />}>
      <DeadLetterDetailView id={id} />
    </Suspense>
  );
}
