'use client';
// exchange -> bindings -> queues -> DLQ, as EventDesk knows it (the spec's topology plus the
// queues dead letters have died in), with each queue's depth and consumers. Retry queues and
// queues not declared on this broker are left out: they would drown the picture.
import type { Queues } from '@/lib/schemas/queues';
import { queueStatus } from './queue-status';

export function TopologyView({ data }: { data: Queues }) {
  const queues = data.items.filter((q) => q.kind !== 'dlq' && !q.retryOf && q.exists);
  const dlq = data.items.find((q) => q.kind === 'dlq');
  return (
    <div data-testid="topology" className="space-y-1 text-xs">
      <div className="inline-block rounded border border-indigo-300 bg-indigo-50 px-2 py-1 font-mono">
        {data.exchange} <span className="font-sans text-[10px] text-indigo-700">topic exchange</span>
      </div>
      {queues.length === 0 ? (
        <p className="pl-4 text-slate-500">
          No consumer queue on this broker yet: they appear when the platform&apos;s topology is declared or a dead letter names one.
        </p>
      ) : (
        <ul className="space-y-1 border-l-2 border-slate-200 pl-3">
          {queues.map((q) => {
            const status = queueStatus(q);
            return (
              <li key={q.name} className="flex flex-wrap items-center gap-x-1.5" data-testid={`topology-${q.name}`}>
                <span className="text-slate-500">{q.bindings.length ? q.bindings.join(', ') : '#'}</span>
                <span aria-hidden className="text-slate-500">
                  →
                </span>
                <span
                  className={`rounded border px-1.5 py-0.5 font-mono ${status === 'no-consumers' ? 'border-rose-400 bg-rose-50 text-rose-800' : 'border-slate-300'}`}
                  title={`${q.messages} messages, ${q.consumers} consumers`}
                >
                  {q.name}
                  <span className={`ml-1 font-sans ${status === 'no-consumers' ? 'text-rose-800' : 'text-slate-600'}`}>
                    {q.messages} msg · {q.consumers} cons.
                  </span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <div className="flex items-center gap-1.5 pl-3">
        <span aria-hidden className="text-slate-500">
          ↳ dead letters →
        </span>
        <span className="rounded border border-rose-300 bg-rose-50 px-2 py-1 font-mono">
          {data.dlq}{' '}
          <span className="font-sans text-[10px] text-rose-700">{dlq?.exists ? `${dlq.messages} waiting · ${dlq.consumers} consumer(s)` : 'not declared'}</span>
        </span>
      </div>
    </div>
  );
}
