'use client';
// The /queues page: every known queue with depth and consumers; no-consumer backlogs first.
import { useQueues } from '@/components/hooks/use-queues';
import { useTimeFormat } from '@/components/ui/preferences';
import { ProcessesPanel } from './processes-panel';
import { QueuesTable } from './queues-table';
import { compareQueues, queueStatus } from './queue-status';
import { TopologyView } from './topology-view';

export function QueuesView() {
  const { data, error, isPending, dataUpdatedAt } = useQueues();
  const { formatTime, zone } = useTimeFormat();
  const items = data ? [...data.items].sort(compareQueues) : [];
  const red = items.filter((q) => queueStatus(q) === 'no-consumers').length;
  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-lg font-semibold">Queues</h1>
        <span className="text-xs text-slate-500">
          {dataUpdatedAt ? `checked ${formatTime(new Date(dataUpdatedAt).toISOString()).slice(11, 19)} ${zone === 'UTC' ? 'UTC' : 'local'} · every 5 s` : ''}
        </span>
      </div>
      {error ? (
        <p role="alert" className="rounded border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {error.message}
        </p>
      ) : null}
      {isPending ? <p className="text-sm text-slate-500">Checking the broker…</p> : null}
      {data ? (
        <>
          {red > 0 ? (
            <p role="alert" className="rounded border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="no-consumer-alert">
              {red} queue{red > 1 ? 's have' : ' has'} messages and no consumer: the backlog only grows until a consumer comes back.
            </p>
          ) : null}
          <section aria-label="Queues" className="rounded-md border border-slate-200 bg-white p-3">
            <QueuesTable items={items} />
          </section>
          <section aria-label="Topology" className="rounded-md border border-slate-200 bg-white p-3">
            <h2 className="mb-2 text-sm font-semibold">Topology</h2>
            <TopologyView data={data} />
          </section>
        </>
      ) : null}
      {/* EventDesk's own processes: shown whether or not the broker answers */}
      <ProcessesPanel />
    </div>
  );
}
