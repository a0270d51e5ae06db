// Incidents (issue 16): a group's history entries and audit lines read as sentences.
import { describe, expect, it } from 'vitest';
import { describeAudit } from '@/components/audit/describe-audit';
import { describeGroupHistory } from '@/components/groups/describe-group-history';

const e = (action: string, actor: string, details: unknown = null) =>
  describeGroupHistory({ at: '2026-12-05T10:00:00Z', action, actor, reason: null, details });

describe('describeGroupHistory', () => {
  it('says who did what', () => {
    expect(e('acknowledged', 'ana@example.test')).toBe('Acknowledged by ana@example.test');
    expect(e('resolved', 'deploy-bot')).toBe('Resolved by deploy-bot');
    expect(e('snoozed', 'ana', { snoozedUntil: '2026-12-06T10:00:00.000Z' })).toMatch(/^Snoozed by ana until 2026-12-06 10:00:00/);
    expect(e('assigned', 'ana', { from: null, to: { id: 'u', email: 'bo@example.test' } })).toBe('Assigned to bo@example.test by ana');
    expect(e('unassigned', 'ana', { from: { id: 'u', email: 'bo@example.test' }, to: null })).toBe('Unassigned from bo@example.test by ana');
    expect(e('note-added', 'ana')).toBe('Note added by ana');
  });

  it('tells the drain reopening from an operator reopening', () => {
    expect(e('reopened', 'drain', { from: 'resolved', to: 'open', reopenedCount: 2 })).toBe(
      'Reopened by the drain: a new dead letter arrived (reopened 2 times)',
    );
    expect(e('reopened', 'ana', { from: 'acknowledged', to: 'open' })).toBe('Reopened by ana (was acknowledged)');
    expect(e('snooze-ended', 'drain', { from: 'snoozed' })).toMatch(/^Snooze ended/);
    expect(e('something-new', 'ana')).toBe('something-new by ana');
  });
});

describe('describeAudit for groups', () => {
  const T = 'group:0123456789abcdef';
  it('reads group-change and group-note lines', () => {
    expect(describeAudit({ action: 'group-change', actor: 'ana', target: T, details: { status: { from: 'open', to: 'resolved' } } }).sentence).toBe(
      'ana resolved failure group 01234567',
    );
    expect(
      describeAudit({
        action: 'group-change',
        actor: 'ana',
        target: T,
        details: { status: { from: 'open', to: 'acknowledged' }, assignee: { from: null, to: { id: 'u', email: 'bo@x.test' } } },
      }).sentence,
    ).toBe('ana acknowledged failure group 01234567 and assigned it to bo@x.test');
    expect(
      describeAudit({ action: 'group-change', actor: 'ana', target: T, details: { assignee: { from: { id: 'u', email: 'b' }, to: null } } }).sentence,
    ).toBe('ana unassigned failure group 01234567');
    expect(describeAudit({ action: 'group-note', actor: 'ana', target: T, details: { noteId: 'n' } }).sentence).toBe(
      'ana added a note to failure group 01234567',
    );
  });
});
