// A failure group's status as a badge: open (red: nobody is on it), acknowledged, snoozed (until
// when), resolved. The status is the effective one the API gives (a snooze that ended is open).
import { Badge, type Tone } from '@/components/ui/badge';
import { formatTime } from '@/components/ui/format';
import type { GroupStatus } from '@/lib/schemas/groups';

export const STATUS_LABELS: Record<GroupStatus, string> = { open: 'Open', acknowledged: 'Acknowledged', snoozed: 'Snoozed', resolved: 'Resolved' };
const TONES: Record<GroupStatus, Tone> = { open: 'bad', acknowledged: 'warn', snoozed: 'info', resolved: 'good' };

export function GroupStatusBadge({ status, snoozedUntil }: { status: GroupStatus; snoozedUntil?: string | null }) {
  return (
    <span data-testid="group-status" data-status={status}>
      <Badge tone={TONES[status]}>{STATUS_LABELS[status]}</Badge>
      {status === 'snoozed' && snoozedUntil ? (
        <>
          {' '}
          <span className="whitespace-nowrap text-xs text-slate-500">until {formatTime(snoozedUntil)}</span>
        </>
      ) : null}
    </span>
  );
}
