import { Badge, type Tone } from '@/components/ui/badge';

const statusTone: Record<string, Tone> = { pending: 'warn', republished: 'good', discarded: 'neutral', unreadable: 'bad' };
const statusTitle: Record<string, string> = {
  unreadable: 'Parked by the drain: it could not read or store this message. Its bytes are kept; an operator can retry or discard it.',
};
const validityTone: Record<string, Tone> = {
  valid: 'good',
  invalid: 'bad',
  unparseable: 'bad',
  'unknown-type': 'warn',
  'unsupported-version': 'warn',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span data-testid={`status-badge-${status}`} className="contents">
      <Badge tone={statusTone[status] ?? 'neutral'} title={statusTitle[status]}>
        {status}
      </Badge>
    </span>
  );
}

export function ValidityBadge({ validity }: { validity: string }) {
  return <Badge tone={validityTone[validity] ?? 'neutral'}>{validity}</Badge>;
}

/** The drain stored a new death of this record after it had been republished. */
export function FailedAgainBadge() {
  return (
    <span data-testid="failed-again-badge" className="ml-1 inline-block">
      <Badge tone="bad" title="It was republished and came back to the dead-letter queue">
        failed again after retry
      </Badge>
    </span>
  );
}
