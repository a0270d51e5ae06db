'use client';
// Depth and consumers per queue. A backlog with no consumer is red: it only grows (bull-board's
// lesson: depth alone looks the same whether consumers are slow or dead).
import type { QueueItem } from '@/lib/schemas/queues';
import { queueStatus, STATUS_TEXT } from './queue-status';

const KIND_TEXT: Record<QueueItem['kind'], string> = { dlq: 'DLQ', consumer: 'consumer', seen: 'seen in x-death' };

export function QueuesTable({ items, compact = false }: { items: QueueItem[]; compact?: boolean }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" data-testid="queues-table">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th className="py-1 pr-2 font-medium">Queue</th>
            {compact ? null : <th className="py-1 pr-2 font-medium">Kind</th>}
            <th className="py-1 pr-2 text-right font-medium">Messages</th>
            <th className="py-1 pr-2 text-right font-medium">Consumers</th>
            <th className="py-1 font-medium">Status</th>
            {compact ? null : <th className="py-1 pl-2 font-medium">Event types</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((q) => {
            const status = queueStatus(q);
            const red = status === 'no-consumers';
            return (
              <tr
                key={q.name}
                data-testid={`queue-row-${q.name}`}
                data-status={status}
                className={`border-b border-slate-100 ${red ? 'bg-rose-50 text-rose-800' : status === 'missing' ? 'text-slate-500' : ''}`}
              >
                <td className="max-w-[22rem] truncate py-1 pr-2 font-mono text-xs" title={q.name}>
                  {q.name}
                </td>
                {compact ? null : <td className="py-1 pr-2 text-xs">{q.retryOf ? `retry of ${q.retryOf}` : KIND_TEXT[q.kind]}</td>}
                <td className="py-1 pr-2 text-right tabular-nums">{q.exists ? q.messages.toLocaleString('en-US') : '—'}</td>
                <td className={`py-1 pr-2 text-right tabular-nums ${red ? 'font-semibold' : ''}`}>{q.exists ? q.consumers : '—'}</td>
                <td className="py-1 text-xs">
                  <span className={`whitespace-nowrap ${red ? 'rounded bg-rose-600 px-1.5 py-0.5 font-medium text-white' : ''}`}>{STATUS_TEXT[status]}</span>
                </td>
                {compact ? null : <td className="py-1 pl-2 text-xs text-slate-600">{q.bindings.join(', ') || '—'}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
