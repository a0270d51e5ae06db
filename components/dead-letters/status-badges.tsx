import { Badge, type Tone } from '@/components/ui/badge';

const statusTone: Record<string, Tone> = { pending: 'warn', republished: 'good', discarded: 'neutral' };
const validityTone: Record<string, Tone> = {
  valid: 'good',
  invalid: 'bad',
  unparseable: 'bad',
  'unknown-type': 'warn',
  'unsupported-version': 'warn',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone[status] ?? 'neutral'}>{status}</Badge>;
}

export function ValidityBadge({ validity }: { validity: string }) {
  return <Badge tone={validityTone[validity] ?? 'neutral'}>{validity}</Badge>;
}
