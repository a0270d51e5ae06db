// `/groups/<id>`: one failure group (an incident): what it is, its newest dead letters, notes,
// history and the operator's actions.
import { Suspense } from 'react';
import { GroupDetailView } from '@/components/groups/group-detail-view';
import { StateMessage } from '@/components/ui/state-message';

// the group's id tells tabs apart; nothing of the group is read before the session is checked
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `Group ${id.slice(0, 16)} · EventDesk` };
}

export default async function GroupPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={<StateMessage tone="loading" title="Loading failure group…" />}>
      <GroupDetailView id={id} />
    </Suspense>
  );
}
