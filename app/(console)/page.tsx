// `/`: the dead-letter list (filters in the query string).
import { Suspense } from 'react';
import { DeadLetterListView } from '@/components/dead-letters/dead-letter-list-view';
import { StateMessage } from '@/components/ui/state-message';

export const metadata = { title: 'Dead letters · EventDesk' };

export default function DeadLettersPage() {
  return (
    <Suspense fallback={<StateMessage tone="loading" title="Loading dead letters…" />}>
      <DeadLetterListView />
    </Suspense>
  );
}
