// Contract validation of the body: the status and every violation at its JSON path (the same
// paths are marked in the body's tree).
import type { DeadLetterDetail } from '@/lib/schemas/dead-letters';
import { Section } from '@/components/ui/section';
import { ValidityBadge } from '../status-badges';
import { visibleText } from '@/components/ui/visible-text';

const explain: Record<string, string> = {
  valid: 'The body matches its event contract.',
  invalid: 'The body breaks its event contract:',
  unparseable: 'The body is not JSON, so no contract could be checked.',
  'unknown-type': 'No contract is known for this event type.',
  'unsupported-version': 'The event’s major version is neither the current nor the previous one.',
};

export function ValidationPanel({ validation, unreadable = false }: { validation: DeadLetterDetail['validation']; unreadable?: boolean }) {
  if (unreadable) {
    return (
      <Section title="Contract validation" testId="validation">
        <p className="text-sm text-slate-600">Not checked: this message was moved aside as unreadable (see above). A successful retry checks it.</p>
      </Section>
    );
  }
  return (
    <Section title="Contract validation" testId="validation" aside={<ValidityBadge validity={validation.status} />}>
      <p className="text-sm text-slate-600">{explain[validation.status] ?? validation.status}</p>
      {validation.violations.length ? (
        <ul className="mt-2 space-y-1">
          {validation.violations.map((v, i) => (
            <li key={i} className="text-sm" data-testid="violation">
              <code className="rounded bg-rose-50 px-1 text-rose-800">{visibleText(v.path)}</code> {visibleText(v.message)}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
