// `/groups`: failure groups (one bug = one line).
import { Suspense } from 'react';
import { GroupsView } from '@/components/groups/groups-view';
import { StateMessage } from '@/components/ui/state-message';

export const metadata = { title: 'Failure groups · EventDesk' };

export default function GroupsPage() {
  return (
    <Suspense fallback={<StateMessage tone="loading" title="Loading failure groups…" />}>
      <GroupsView />
    </Suspense>
  );
}
