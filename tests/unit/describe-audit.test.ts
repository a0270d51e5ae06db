import { describe, expect, it } from 'vitest';
import { describeAudit, describeAuditTarget, describeSelection } from '@/components/audit/describe-audit';

const DL = 'dead-letter:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
const JOB = 'bulk-job:abcdef01-2345-6789-abcd-ef0123456789';
const a = (action: string, details: unknown, target = DL, actor = 'ana') => describeAudit({ action, actor, target, details });

describe('describeAudit', () => {
  it('names targets in words', () => {
    expect(describeAuditTarget(DL)).toBe('dead letter 0f1e2d3c');
    expect(describeAuditTarget('api-token:42')).toBe('API token 42');
    expect(describeAuditTarget('odd')).toBe('odd');
  });

  it('says a republish’s retry number and target, an edit, force and recovery', () => {
    const details = {
      deadLetterId: 'x',
      eventId: 'ev-1',
      intentId: 'i',
      republishCount: 2,
      target: { kind: 'origin', exchange: '', routingKey: 'billing' },
      settledBy: 'confirm',
    };
    const r = a('republish', details);
    expect(r.sentence).toBe('ana republished dead letter 0f1e2d3c (retry 2) to its original queue billing');
    expect(r.facts).toEqual([{ label: 'event id', value: 'ev-1' }]);
    expect(a('edit-republish', { ...details, forced: true, settledBy: 'recovery', diff: '-a' }).sentence).toBe(
      'ana edited and republished dead letter 0f1e2d3c (retry 2) to its original queue billing, forced past the rules, confirmed by recovery after a restart',
    );
  });

  it('says discard, restore and the retry of an unreadable message', () => {
    expect(a('discard', { deadLetterId: 'x', from: 'pending', to: 'discarded' }).sentence).toBe('ana discarded dead letter 0f1e2d3c (pending → discarded)');
    expect(a('restore', { deadLetterId: 'x', from: 'discarded', to: 'pending' }).sentence).toBe('ana restored dead letter 0f1e2d3c (discarded → pending)');
    expect(a('retry-unreadable', { deadLetterId: 'x', previousId: '99998888-7777', from: 'unreadable', to: 'pending' }).sentence).toBe(
      'ana read unreadable dead letter 99998888 again; it is now dead letter 0f1e2d3c, pending',
    );
  });

  it('says what a bulk job does and how it went', () => {
    expect(
      a(
        'bulk-create',
        {
          bulkJobId: 'j',
          action: 'republish',
          selection: { groupId: 'dc2142cd9a213205' },
          count: 120,
          ratePerSecond: 50,
          force: false,
          transform: { kind: 'jsonata' },
          startAt: '2026-12-06T10:00:00.000Z',
        },
        JOB,
      ).sentence,
    ).toBe(
      'ana started bulk job abcdef01: republish 120 dead letters of failure group dc2142cd9a213205, at 50/s, with a transformation of the body, starting at 2026-12-06T10:00:00.000Z',
    );
    expect(a('bulk-create', { action: 'discard', selection: { ids: ['a'] }, count: 1, ratePerSecond: 10, force: true }, JOB).sentence).toBe(
      'ana started bulk job abcdef01: discard 1 dead letter of 1 selected dead letter, at 10/s, forced past the rules',
    );
    expect(describeSelection({ filter: { queue: 'billing', status: 'pending' } })).toBe('the dead letters matching queue=billing, status=pending');
    expect(a('bulk-pause', { bulkJobId: 'j', from: 'running' }, JOB).sentence).toBe('ana paused bulk job abcdef01 (was running)');
    expect(a('bulk-resume', { bulkJobId: 'j', from: 'paused' }, JOB).sentence).toBe('ana resumed bulk job abcdef01 (was paused)');
    expect(a('bulk-cancel', { bulkJobId: 'j', from: 'queued' }, JOB).sentence).toBe('ana cancelled bulk job abcdef01 (was queued)');
    expect(a('bulk-auto-pause', { returned: 5, succeeded: 20 }, JOB, 'system').sentence).toBe(
      'EventDesk paused bulk job abcdef01: 5 of 20 republished messages died again',
    );
    expect(a('bulk-finish', { action: 'republish', requestedBy: 'ana', total: 20, succeeded: 18, failed: 1, skipped: 1 }, JOB, 'system').sentence).toBe(
      'Bulk job abcdef01 (republish, requested by ana) finished: 18 of 20 done, 1 failed, 1 skipped',
    );
    expect(a('republish-abandoned', { intentId: 'i', requestedBy: 'ana', bulkJobId: null }, DL, 'system').sentence).toBe(
      'EventDesk abandoned a republish of dead letter 0f1e2d3c requested by ana',
    );
  });

  it('says what an admin did to users and tokens, never a password', () => {
    expect(a('user-create', { email: 'bob@example.com', role: 'operator', passwordGenerated: true }, 'user:7', 'admin').sentence).toBe(
      'admin created user bob@example.com as operator, with a generated password',
    );
    expect(
      a('user-update', { email: 'bob@example.com', role: { from: 'viewer', to: 'operator' }, passwordReset: true, sessionsEnded: true }, 'user:7', 'admin')
        .sentence,
    ).toBe('admin updated user bob@example.com: role viewer → operator, password reset, signed out everywhere');
    expect(a('token-create', { name: 'ci', role: 'viewer', prefix: 'edk_ab12' }, 'api-token:3', 'admin').sentence).toBe(
      'admin created API token “ci” (viewer, edk_ab12…)',
    );
    expect(a('token-revoke', { name: 'ci', role: 'viewer', prefix: 'edk_ab12' }, 'api-token:3', 'admin').sentence).toBe(
      'admin revoked API token “ci” (viewer, edk_ab12…)',
    );
  });

  it('keeps an unknown action’s details as labelled values', () => {
    const r = a('time-travel', { toYear: 1985 });
    expect(r.sentence).toBe('ana: time-travel dead letter 0f1e2d3c');
    expect(r.facts).toEqual([{ label: 'to year', value: '1985' }]);
  });
});
