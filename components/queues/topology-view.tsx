'use client';
// exchange -> bindings -> queues -> DLQ, as EventDesk knows it (the spec's topology plus the
// queues dead letters have died in), with each queue's depth and consumers.
import type { Queues } from '@/lib/schemas/queues';
import { queueStatus } from './queue-status';

export function TopologyView({ data }: { data: Queues }) {
  const consumers = data.items.filter((q) => q.kind !== 'dlq');
  const dlq = data.items.find((q) => q.kind === 'dlq');
  return (
    <div data-testid="topology" className="grid grid-cols-[auto_1fr_auto] items-center gap-x-3 gap-y-1 text-xs">
      <div className="row-span-full self-center rounded border border-indigo-300 bg-indigo-50 px-2 py-1 font-mono" title="topic exchange">
        {data.exchange}
        <div className="font-sans text-[10px] text-indigo-700">topic exchange</div>
      </div>
      {consumers.length === 0 ? (
        <p className="text-slate-500">No consumer queues known yet: they appear when the platform's topology is declared or a dead letter names one.</p>
      ) : (
        consumers.map((q) => {
          const status = queueStatus(q);
          return (
            <div key={q.name} className="col-start-2 flex min-w-0 items-center gap-2">
              <span className="truncate text-slate-500" title={q.bindings.join(', ')}>
                {q.bindings.length ? q.bindings.join(', ') : '#'} →
              </span>
              <span
                className={`truncate rounded border px-1.5 py-0.5 font-mono ${status === 'no-consumers' ? 'border-rose-400 bg-rose-50 text-rose-800' : status === 'missing' ? 'border-dashed border-slate-300 text-slate-400' : 'border-slate-300'}`}
                title={`${q.messages} messages, ${q.consumers} consumers`}
              >
                {q.name} <span className="font-sans text-slate-500">({q.messages}/{q.consumers}c)</span>
              </span>
              <span className="text-slate-400">→ DLQ</span>
            </div>
          );
        })
      )}
      <div className="col-start-3 row-span-full row-start-1 self-center rounded border border-rose-300 bg-rose-50 px-2 py-1 font-mono">
        {data.dlq}
        <div className="font-sans text-[10px] text-rose-700">{dlq?.exists ? `${dlq.messages} waiting, ${dlq.consumers} consumer(s)` : 'dead-letter queue'}</div>
      </div>
    </div>
  );
}
