// The x-death history: each (queue, reason) RabbitMQ dead-lettered the message in, how often,
// and when, oldest first, in words (describe-amqp.ts), with the entry's parsed JSON behind "raw".
import type { Death } from '@/lib/schemas/dead-letters';
import { Section } from '@/components/ui/section';
import { formatTime } from '@/components/ui/format';
import { RawToggle } from '@/components/ui/raw-json';
import { describeDeath, oldestFirst } from './describe-amqp';
import { visibleText } from '@/components/ui/visible-text';

export function DeathTimeline({ deaths, unreadable = false }: { deaths: Death[]; unreadable?: boolean }) {
  const ordered = oldestFirst(deaths);
  return (
    <Section title="Deaths (x-death)" testId="death-timeline">
      {ordered.length === 0 ? (
        <p className="text-sm text-slate-500">
          {unreadable
            ? 'Not read: this message was moved aside as unreadable; its raw x-death header, if any, is under Headers.'
            : 'The message carried no x-death header (it was not dead-lettered by RabbitMQ).'}
        </p>
      ) : (
        <ol className="relative ml-2 border-l border-slate-200">
          {ordered.map((d, i) => (
            <li key={i} className="mb-3 ml-4" data-testid="death">
              <span className="absolute -left-1.5 mt-1 h-3 w-3 rounded-full border border-white bg-rose-400" />
              <p className="text-xs text-slate-500">{d.time ? `first at ${formatTime(d.time)}` : 'time not given by the broker'}</p>
              <p className="text-sm" data-testid="death-sentence">
                {visibleText(describeDeath(d))}
                <RawToggle value={d} />
              </p>
              <p className="text-xs text-slate-500">
                from exchange {d.exchange ? visibleText(d.exchange) : '(default)'}, routing keys{' '}
                {d.routingKeys.length ? visibleText(d.routingKeys.join(', ')) : 'none'}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
