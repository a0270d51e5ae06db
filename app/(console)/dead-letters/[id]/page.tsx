// `/dead-letters/<id>`: one dead letter.
import { Suspense } from 'react';
import { DeadLetterDetailView } from '@/components/dead-letters/detail/dead-letter-detail-view';
import { StateMessage } from '@/components/ui/state-message';

// the id's first characters tell tabs apart; nothing of the message is read before the session is checked
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `Dead letter ${id.slice(0, 8)} · EventDesk` };
}

export default async function DeadLetterPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={<StateMessage tone="loading" title="Loading dead letter…" />}>
      <DeadLetterDetailView id={id} />
    </Suspense>
  );
}
