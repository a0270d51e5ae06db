// The x-death history: each (queue, reason) the message died in, how often, and when.
import type { Death } from '@/lib/schemas/dead-letters';
import { Section } from '@/components/ui/section';
import { formatTime } from '@/components/ui/format';

export function DeathTimeline({ deaths, unreadable = false }: { deaths: Death[]; unreadable?: boolean }) {
  // x-death lists the most recent first; a timeline reads oldest first
  const ordered = [...deaths].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  return (
    <Section title="x-death timeline" testId="death-timeline">
      {ordered.length === 0 ? (
        <p className="text-sm text-slate-500">
          {unreadable
            ? 'Not read: the drain parked this message; its raw x-death header, if any, is under Headers.'
            : 'The message carried no x-death header (it was not dead-lettered by RabbitMQ).'}
        </p>
      ) : (
        <ol className="relative ml-2 border-l border-slate-200">
          {ordered.map((d, i) => (
            <li key={i} className="mb-3 ml-4" data-testid="death">
              <span className="absolute -left-1.5 mt-1 h-3 w-3 rounded-full border border-white bg-rose-400" />
              <p className="text-xs text-slate-500">{formatTime(d.time)}</p>
              <p className="text-sm">
                <span className="font-medium">{d.queue ?? '(unknown queue)'}</span> · {d.reason ?? '(no reason)'} · ×{d.count ?? '?'}
              </p>
              <p className="text-xs text-slate-500">
                exchange {d.exchange || '(default)'} · routing keys {d.routingKeys.length ? d.routingKeys.join(', ') : '—'}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
