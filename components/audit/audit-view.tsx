'use client';
// The audit log: who did what, when, to what, and why; filterable by actor and action (kept in
// the URL so a link shows the same view), newest first, with older pages by cursor. An edit's
// diff and other details open in place, rendered as text.
import { usePathname, useRouter } from 'next/navigation';
import { Fragment, useState } from 'react';
import { AUDIT_ACTIONS, type AuditEntry } from '@/lib/schemas/audit';
import { toSearchParams } from '@/lib/schemas/dead-letters';
import { useAudit } from '@/components/hooks/use-audit';
import { BodyDiff } from '@/components/republish/body-diff';
import { buttonClass } from '@/components/republish/modal';
import { StateMessage } from '@/components/ui/state-message';
import { TimeAgo } from '@/components/ui/preferences';
import { FactList, RawToggle } from '@/components/ui/raw-json';
import { isRecord } from '@/components/ui/describe-values';
import { ExportLinks } from '@/components/ui/export-links';
import { describeAudit } from './describe-audit';
import { visibleText } from '@/components/ui/visible-text';

/** an edit's diff, shown as a diff */
const diff = (e: AuditEntry): string | null => (isRecord(e.details) && typeof e.details.diff === 'string' ? e.details.diff : null);

function targetHref(target: string): string | null {
  const m = /^dead-letter:([0-9a-f-]{36})$/i.exec(target);
  return m ? `/dead-letters/${m[1]}` : null;
}

/** The line's sentence, what it does not say as labelled values, and its raw JSON behind a toggle. */
function WhatHappened({ entry, href }: { entry: AuditEntry; href: string | null }) {
  const described = describeAudit(entry);
  return (
    <div>
      <span data-testid="audit-sentence">{visibleText(described.sentence)}</span>
      {href ? (
        <a className="ml-1 text-xs text-indigo-700 hover:underline" href={href} title={entry.target}>
          open
        </a>
      ) : null}
      <RawToggle value={entry} />
      <FactList facts={described.facts} />
    </div>
  );
}

export function AuditView({ actor: initialActor, action: initialAction }: { actor?: string; action?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [actor, setActor] = useState(initialActor ?? '');
  const [action, setAction] = useState(initialAction ?? '');
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const audit = useAudit({ actor: initialActor, action: initialAction, cursor, limit: 50 });

  const apply = (next: { actor: string; action: string }) => {
    setCursors([]);
    router.replace(`${pathname}?${toSearchParams({ actor: next.actor.trim(), action: next.action })}`);
  };

  return (
    <div className="space-y-3">
      <form
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ actor, action });
        }}
      >
        <label>
          Actor
          <input
            className="mt-0.5 block rounded border border-slate-300 px-2 py-1"
            value={actor}
            onChange={(e) => setActor(e.target.value)}
            placeholder="e.g. ops@example.com"
          />
        </label>
        <label>
          Action
          <select
            className="mt-0.5 block rounded border border-slate-300 px-2 py-1"
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              apply({ actor, action: e.target.value });
            }}
          >
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={buttonClass.secondary}>
          Filter
        </button>
        <div className="ml-auto">
          <ExportLinks path="/api/audit/export" filters={{ actor: initialActor, action: initialAction }} label="the audit entries these filters select" />
        </div>
      </form>

      {audit.isError ? (
        <StateMessage tone="error" title="The audit log could not be loaded">
          {audit.error.message}
        </StateMessage>
      ) : audit.isPending ? (
        <StateMessage tone="loading" title="Loading the audit log…" />
      ) : audit.data.items.length === 0 ? (
        <StateMessage tone="empty" title="No audit entries">
          {initialActor || initialAction ? 'Nothing matches these filters.' : 'Republish, discard, restore and bulk actions will appear here.'}
        </StateMessage>
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="audit-table">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1">When</th>
                <th>Actor</th>
                <th>What happened</th>
                <th>Reason</th>
                <th>
                  <span className="sr-only">Changes</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {audit.data.items.map((e) => {
                const href = targetHref(e.target);
                return (
                  <Fragment key={e.id}>
                    <tr className="border-t border-slate-100 align-top" data-testid="audit-row" data-action={e.action}>
                      <td className="whitespace-nowrap py-1">
                        <TimeAgo iso={e.at} stacked />
                      </td>
                      <td className="max-w-[12rem] truncate xl:max-w-xs">{e.actor}</td>
                      <td className="max-w-xl py-1">
                        <WhatHappened entry={e} href={href} />
                      </td>
                      <td className="max-w-[14rem] truncate xl:max-w-sm">{e.reason ?? ''}</td>
                      <td>
                        {diff(e) !== null ? (
                          <button
                            type="button"
                            className={buttonClass.small}
                            onClick={() => setOpen(open === e.id ? null : e.id)}
                            aria-expanded={open === e.id}
                          >
                            Details
                          </button>
                        ) : null}
                      </td>
                    </tr>
                    {open === e.id ? (
                      <tr>
                        <td colSpan={5} className="pb-2">
                          <BodyDiff diff={diff(e) ?? ''} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex gap-2">
        {cursors.length ? (
          <button type="button" className={buttonClass.secondary} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
        ) : null}
        {audit.data?.nextCursor ? (
          <button type="button" className={buttonClass.secondary} onClick={() => setCursors([...cursors, audit.data.nextCursor!])}>
            Older
          </button>
        ) : null}
      </div>
    </div>
  );
}
