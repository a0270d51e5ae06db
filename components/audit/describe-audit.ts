// An audit line as a sentence ("ana republished dead letter 1a2b3c4d (retry 2) to its original
// queue billing"). The shapes are the writers' in lib/actions/*, lib/bus/republish-outbox.ts
// (a single republish's line), lib/jobs/bulk-runner.ts (auto-pause, finish) and
// lib/jobs/recover-republish-intents.ts; what a sentence does not say stays as labelled values.
import { describeTarget } from '@/components/dead-letters/detail/describe-history';
import { actorName, isRecord, labelledFacts, plural, shortId, valueText, type Fact } from '@/components/ui/describe-values';

export interface DescribedAudit {
  sentence: string;
  facts: Fact[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The audit target ("dead-letter:<uuid>", "bulk-job:<uuid>", "user:<id>", "api-token:<id>") in words. */
export function describeAuditTarget(target: string): string {
  const m = /^([a-z-]+):(.+)$/.exec(target);
  if (!m) return target;
  const what: Record<string, string> = { 'dead-letter': 'dead letter', 'bulk-job': 'bulk job', user: 'user', 'api-token': 'API token', group: 'failure group' };
  return `${what[m[1]] ?? m[1]} ${shortId(m[2])}`;
}

/** What a bulk job's selection picked: ids, a failure group or a list filter. */
export function describeSelection(selection: unknown): string {
  if (!isRecord(selection)) return 'a selection';
  if (Array.isArray(selection.ids)) return `${plural(selection.ids.length, 'selected dead letter', 'selected dead letters')}`;
  if (typeof selection.groupId === 'string') return `failure group ${selection.groupId}`;
  if (isRecord(selection.filter)) {
    const f = Object.entries(selection.filter).filter(([, v]) => v !== undefined && v !== null && v !== '');
    return f.length ? `the dead letters matching ${f.map(([k, v]) => `${k}=${valueText(v)}`).join(', ')}` : 'every dead letter';
  }
  return 'a selection';
}

const VERB: Record<string, string> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

export function describeAudit(entry: { action: string; actor: string; target: string; details: unknown }): DescribedAudit {
  const d = isRecord(entry.details) ? entry.details : {};
  const who = actorName(entry.actor);
  const target = describeAuditTarget(entry.target);
  const rest = (known: string[]) => labelledFacts(entry.details, [...known, 'diff']);
  switch (entry.action) {
    case 'republish':
    case 'edit-republish': {
      const n = num(d.republishCount);
      const parts = [`${who} ${entry.action === 'edit-republish' ? 'edited and republished' : 'republished'} ${target}${n ? ` (retry ${n})` : ''}`];
      const to = describeTarget(d.target);
      if (to) parts[0] += ` ${to}`;
      if (d.forced === true) parts.push('forced past the rules');
      if (d.settledBy === 'recovery') parts.push('confirmed by recovery after a restart');
      return { sentence: parts.join(', '), facts: rest(['republishCount', 'target', 'forced', 'settledBy', 'deadLetterId', 'intentId']) };
    }
    case 'discard':
    case 'restore': {
      const change = str(d.from) && str(d.to) ? ` (${str(d.from)} → ${str(d.to)})` : '';
      return { sentence: `${who} ${entry.action === 'discard' ? 'discarded' : 'restored'} ${target}${change}`, facts: rest(['deadLetterId', 'from', 'to']) };
    }
    case 'retry-unreadable':
      return {
        sentence: `${who} read unreadable ${str(d.previousId) ? `dead letter ${shortId(str(d.previousId)!)}` : 'dead letter'} again; it is now ${target}${str(d.to) ? `, ${str(d.to)}` : ''}`,
        facts: rest(['deadLetterId', 'previousId', 'from', 'to']),
      };
    case 'bulk-create': {
      const count = num(d.count);
      const verb = d.action === 'discard' ? 'discard' : 'republish';
      const parts = [
        `${who} started ${target}: ${verb} ${count !== undefined ? `${plural(count, 'dead letter', 'dead letters')} of ` : ''}${describeSelection(d.selection)}`,
      ];
      if (num(d.ratePerSecond)) parts.push(`at ${num(d.ratePerSecond)}/s`);
      if (d.transform) parts.push('with a transformation of the body');
      if (str(d.startAt)) parts.push(`starting at ${str(d.startAt)}`);
      if (d.force === true) parts.push('forced past the rules');
      return { sentence: parts.join(', '), facts: rest(['bulkJobId', 'action', 'selection', 'count', 'ratePerSecond', 'transform', 'startAt', 'force']) };
    }
    case 'bulk-pause':
    case 'bulk-resume':
    case 'bulk-cancel':
      return {
        sentence: `${who} ${VERB[entry.action.slice(5)]} ${target}${str(d.from) ? ` (was ${str(d.from)})` : ''}`,
        facts: rest(['bulkJobId', 'from']),
      };
    case 'bulk-auto-pause': {
      const returned = num(d.returned);
      const succeeded = num(d.succeeded);
      const why = returned !== undefined && succeeded !== undefined ? `: ${returned} of ${succeeded} republished messages died again` : '';
      return { sentence: `${who} paused ${target}${why}`, facts: rest(['returned', 'succeeded']) };
    }
    case 'bulk-finish': {
      const total = num(d.total);
      const counts = [
        num(d.succeeded) !== undefined ? `${num(d.succeeded)}${total !== undefined ? ` of ${total}` : ''} done` : null,
        num(d.failed) ? `${num(d.failed)} failed` : null,
        num(d.skipped) ? `${num(d.skipped)} skipped` : null,
      ].filter(Boolean);
      const about = [str(d.action), str(d.requestedBy) ? `requested by ${str(d.requestedBy)}` : undefined].filter(Boolean);
      const job = `${target}${about.length ? ` (${about.join(', ')})` : ''}`;
      return {
        sentence: `${job[0].toUpperCase()}${job.slice(1)} finished${counts.length ? `: ${counts.join(', ')}` : ''}`,
        facts: rest(['action', 'requestedBy', 'total', 'succeeded', 'failed', 'skipped']),
      };
    }
    case 'republish-abandoned':
      return {
        sentence: `${who} abandoned a republish of ${target}${str(d.requestedBy) ? ` requested by ${str(d.requestedBy)}` : ''}${str(d.bulkJobId) ? ` in bulk job ${shortId(str(d.bulkJobId)!)}` : ''}`,
        facts: rest(['intentId', 'requestedBy', 'bulkJobId']),
      };
    case 'user-create':
      return {
        sentence: `${who} created user ${str(d.email) ?? target}${str(d.role) ? ` as ${str(d.role)}` : ''}${d.passwordGenerated === true ? ', with a generated password' : ''}`,
        facts: rest(['email', 'role', 'passwordGenerated']),
      };
    case 'user-update': {
      const changes: string[] = [];
      for (const k of ['role', 'status'] as const) {
        const c = d[k];
        if (isRecord(c) && str(c.from) && str(c.to)) changes.push(`${k} ${str(c.from)} → ${str(c.to)}`);
      }
      if (d.passwordReset === true) changes.push('password reset');
      if (d.sessionsEnded === true) changes.push('signed out everywhere');
      return {
        sentence: `${who} updated user ${str(d.email) ?? target}${changes.length ? `: ${changes.join(', ')}` : ''}`,
        facts: rest(['email', 'role', 'status', 'passwordReset', 'sessionsEnded']),
      };
    }
    case 'token-create':
    case 'token-revoke':
      return {
        sentence: `${who} ${entry.action === 'token-create' ? 'created' : 'revoked'} API token ${str(d.name) ? `“${str(d.name)}”` : target}${str(d.role) ? ` (${str(d.role)}${str(d.prefix) ? `, ${str(d.prefix)}…` : ''})` : ''}`,
        facts: rest(['name', 'role', 'prefix']),
      };
    case 'group-change': {
      // lib/actions/change-group.ts: {status?: {from, to, snoozedUntil?}, assignee?: {from, to}}
      const parts: string[] = [];
      const status = isRecord(d.status) ? d.status : null;
      if (status && str(status.to)) {
        const verbs: Record<string, string> = { open: 'reopened', acknowledged: 'acknowledged', snoozed: 'snoozed', resolved: 'resolved' };
        parts.push(`${verbs[str(status.to)!] ?? str(status.to)} ${target}${str(status.snoozedUntil) ? ` until ${str(status.snoozedUntil)}` : ''}`);
      }
      const assignee = isRecord(d.assignee) ? d.assignee : null;
      if (assignee) {
        const to = isRecord(assignee.to) ? str(assignee.to.email) : undefined;
        parts.push(to ? `assigned ${parts.length ? 'it' : target} to ${to}` : `unassigned ${parts.length ? 'it' : target}`);
      }
      return { sentence: `${who} ${parts.join(' and ') || `changed ${target}`}`, facts: rest(['status', 'assignee']) };
    }
    case 'group-note':
      return { sentence: `${who} added a note to ${target}`, facts: rest(['noteId']) };
    case 'notification-channel-create':
    case 'notification-channel-update':
    case 'notification-channel-delete':
    case 'notification-channel-test': {
      const verb = { create: 'created', update: 'updated', delete: 'deleted', test: 'sent a test to' }[entry.action.slice('notification-channel-'.length)];
      const changed = isRecord(d.changed) ? `: ${Object.keys(d.changed).join(', ')} changed` : '';
      return {
        sentence: `${who} ${verb} notification channel ${str(d.name) ? `“${str(d.name)}”` : target}${changed}`,
        facts: rest(['name', 'changed']),
      };
    }
    default:
      return { sentence: `${who}: ${entry.action} ${target}`, facts: rest([]) };
  }
}
