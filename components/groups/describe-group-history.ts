// A failure group's history entry as a sentence: "Snoozed by ana until 2026-12-06 10:00:00 UTC",
// "Reopened by the drain: a new dead letter arrived (reopened 2 times)".
import { formatTime } from '@/components/ui/format';
import type { GroupHistoryEntry } from '@/lib/schemas/groups';

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const email = (v: unknown) => (typeof rec(v).email === 'string' ? (rec(v).email as string) : null);

export function describeGroupHistory(e: GroupHistoryEntry): string {
  const d = rec(e.details);
  const by = e.actor === 'drain' ? 'the drain' : e.actor;
  switch (e.action) {
    case 'acknowledged':
      return `Acknowledged by ${by}`;
    case 'resolved':
      return `Resolved by ${by}`;
    case 'snoozed':
      return `Snoozed by ${by}${typeof d.snoozedUntil === 'string' ? ` until ${formatTime(d.snoozedUntil)}` : ''}`;
    case 'reopened':
      return e.actor === 'drain'
        ? `Reopened by the drain: a new dead letter arrived${typeof d.reopenedCount === 'number' ? ` (reopened ${d.reopenedCount} ${d.reopenedCount === 1 ? 'time' : 'times'})` : ''}`
        : `Reopened by ${by}${typeof d.from === 'string' ? ` (was ${d.from})` : ''}`;
    case 'snooze-ended':
      return 'Snooze ended: a new dead letter arrived after it, the group is open again';
    case 'assigned':
      return `Assigned to ${email(d.to) ?? 'a user'} by ${by}`;
    case 'unassigned':
      return `Unassigned${email(d.from) ? ` from ${email(d.from)}` : ''} by ${by}`;
    case 'note-added':
      return `Note added by ${by}`;
    default:
      return `${e.action} by ${by}`;
  }
}
