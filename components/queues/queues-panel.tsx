'use client';
// The queues beside the throughput charts, and the topology they sit in.
import Link from 'next/link';
import { useQueues } from '@/components/hooks/use-queues';
import { QueuesTable } from './queues-table';
import { worthShowing } from './queue-status';
import { TopologyView } from './topology-view';

export function QueuesPanel() {
  const { data, error, isPending } = useQueues();
  return (
    <section aria-label="Queues" data-testid="queues-panel" className="rounded-md border border-slate-200 bg-white">
      <header className="flex items-center justify-between border-b border-slate-100 px-3 py-2">
        <h2 className="text-sm font-semibold">Queues</h2>
        <Link href="/queues" className="text-xs text-indigo-700 hover:underline">
          all queues
        </Link>
      </header>
      <div className="space-y-3 overflow-x-auto p-3">
        {isPending ? <p className="text-sm text-slate-500">Checking the broker…</p> : null}
        {error ? (
          <p role="alert" className="text-sm text-rose-700">
            {error.message}
          </p>
        ) : null}
        {data ? (
          <>
            <QueuesTable items={data.items.filter(worthShowing)} compact />
            {data.items.some((q) => !q.exists) ? (
              <p className="text-xs text-slate-500">
                {data.items.filter((q) => !q.exists).length} queues of the spec&apos;s topology are not declared on this broker (the platform, or{' '}
                <code>npm run demo</code>, declares them).
              </p>
            ) : null}
            <div>
              <h3 className="mb-1 text-xs font-medium text-slate-600">Topology</h3>
              <TopologyView data={data} />
            </div>
          </>
        ) : null}
      </div>
    </section>
  );
}
