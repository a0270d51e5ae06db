import { QueuesView } from '@/components/queues/queues-view';

export const metadata = { title: 'Queues · EventDesk' };

export default function QueuesPage() {
  return <QueuesView />;
}
