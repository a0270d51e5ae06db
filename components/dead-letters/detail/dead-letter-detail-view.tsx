'use client';
// One dead letter, read exactly as it arrived. Esc goes back to the list view it came from.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useDeadLetter } from '@/components/hooks/use-dead-letter';
import { StateMessage } from '@/components/ui/state-message';
import { Section } from '@/components/ui/section';
import { TimeAgo } from '@/components/ui/preferences';
import { FailedAgainBadge, StatusBadge, ValidityBadge } from '../status-badges';
import { displayType } from '../display-type';
import { DeadLetterActions } from '../detail-actions';
import { BodyViewer } from './body-viewer';
import { GroupLink } from '@/components/groups/group-link';
import { KeyValueTable } from './key-value-table';
import { DeathTimeline } from './death-timeline';
import { HistoryList } from './history-list';
import { EditedRetryNote } from './edited-retry-note';
import { ParkedPanel } from './parked-panel';
import { ValidationPanel } from './validation-panel';
import { visibleText } from '@/components/ui/visible-text';

/** Characters of an error message shown before "Show all": the actions stay in view. */
const ERROR_PREVIEW_CHARS = 600;

/**
 * The error message under the title. A consumer's error can be a whole stack trace or a 30 KB
 * response body: printed in full it pushed Retry, Edit and Discard below a wall of text (found
 * by an adversarial probe), so a long one shows its start and a "Show all" that scrolls.
 */
function ErrorMessage({ text }: { text: string | null }) {
  const [all, setAll] = useState(false);
  if (text === null)
    return (
      <p className="mt-1 font-mono text-sm text-rose-800" data-testid="detail-error-message">
        No error message was recorded with this message.
      </p>
    );
  const long = text.length > ERROR_PREVIEW_CHARS;
  return (
    <div className="mt-1">
      <p className={`break-all whitespace-pre-wrap font-mono text-sm text-rose-800 ${all ? 'max-h-96 overflow-auto' : ''}`} data-testid="detail-error-message">
        {visibleText(long && !all ? `${text.slice(0, ERROR_PREVIEW_CHARS)}…` : text)}
      </p>
      {long ? (
        <button type="button" className="mt-1 text-xs text-indigo-700 hover:underline" onClick={() => setAll(!all)} data-testid="detail-error-toggle">
          {all ? 'Show less' : `Show all (${text.length.toLocaleString('en-US')} characters)`}
        </button>
      ) : null}
    </div>
  );
}

export function DeadLetterDetailView({ id }: { id: string }) {
  const router = useRouter();
  const sp = useSearchParams();
  const listQs = sp.get('list');
  const backHref = listQs ? `/?${listQs}` : '/';
  const { data: d, error, isPending } = useDeadLetter(id);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== 'Escape' || (t && ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) || t?.isContentEditable) return;
      // a dialog (e.g. Edit & retry) that is open handles its own Esc
      if (document.querySelector('[role="dialog"][open], dialog[open], [aria-modal="true"]')) return;
      router.push(backHref);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router, backHref]);

  const back = (
    <Link href={backHref} className="text-sm text-indigo-700 hover:underline" data-testid="back-to-list">
      ← Dead letters <span className="text-xs text-slate-500">(Esc)</span>
    </Link>
  );

  if (isPending)
    return (
      <div className="space-y-3">
        {back}
        <StateMessage tone="loading" title="Loading dead letter…" />
      </div>
    );
  if (error || !d) {
    const status = (error as { status?: number } | null)?.status;
    return (
      <div className="space-y-3">
        {back}
        <StateMessage tone="error" title={status === 404 ? 'Dead letter not found' : 'Could not load this dead letter'} testId="detail-error">
          {status === 404
            ? 'It may have been purged after RETENTION_DAYS, or the link is wrong. Go back to the list and search for its event id.'
            : `${error?.message ?? 'Unknown error'}. Retry in a moment; check the server log if it persists.`}
        </StateMessage>
      </div>
    );
  }

  const facts: [string, React.ReactNode][] = [
    ['Event id', <code key="e">{d.eventId !== null ? visibleText(d.eventId) : '—'}</code>],
    ['Version', d.version !== null ? visibleText(d.version) : '—'],
    ['Queue', d.queue ? visibleText(d.queue) : '(none)'],
    // the DLQ its latest death was drained from (DLQ_QUEUE may list several)
    ['DLQ', d.dlq],
    ['Reason', d.reason ?? '(none)'],
    ['Routing key', d.routingKey !== null ? visibleText(d.routingKey) : '—'],
    ['Exchange', d.exchange === null ? '—' : visibleText(d.exchange) || '(default)'],
    // one meaning per word: deaths are RabbitMQ's, retries EventDesk's
    ['Deaths (by RabbitMQ)', d.attempts],
    ['Retries (by EventDesk)', d.republishCount],
    // the time in the chosen zone with how long ago, following the UTC / local switch at once
    ['First failed', <TimeAgo key="ff" iso={d.firstFailedAt} stacked />],
    ['Last failed', <TimeAgo key="lf" iso={d.lastFailedAt} stacked />],
    ['Received', <TimeAgo key="rc" iso={d.receivedAt} stacked />],
    [
      'Correlation id',
      d.correlationId ? (
        <span key="c">
          <code>{visibleText(d.correlationId)}</code>{' '}
          <Link data-testid="correlation-link" className="text-indigo-700 hover:underline" href={`/?correlationId=${encodeURIComponent(d.correlationId)}`}>
            all dead letters with it →
          </Link>
        </span>
      ) : (
        '—'
      ),
    ],
    ...(d.traceUrl
      ? ([
          [
            'Trace',
            <a key="t" data-testid="trace-link" className="text-indigo-700 hover:underline" href={d.traceUrl} target="_blank" rel="noreferrer">
              open in Jaeger →
            </a>,
          ],
        ] as [string, React.ReactNode][])
      : []),
    ['Group', <GroupLink key="g" groupId={d.groupId} />],
  ];

  return (
    <div className="space-y-3" data-testid="dead-letter-detail">
      {back}
      <header className="flex flex-wrap items-start justify-between gap-3 rounded-md border border-slate-200 bg-white px-4 py-3">
        <div className="min-w-0">
          <h1 className="flex items-center gap-2 text-lg font-semibold">
            <span data-testid="detail-event-type">{displayType(d).label}</span>
            {displayType(d).fromRoutingKey ? <span className="text-xs font-normal text-slate-500">(routing key)</span> : null}
            <StatusBadge status={d.status} />
            {d.failedAgainAfterRetry ? <FailedAgainBadge /> : null}
            <ValidityBadge validity={d.validation.status} />
          </h1>
          <ErrorMessage text={d.errorMessage} />
        </div>
        <div data-testid="detail-actions" className="flex shrink-0 gap-2">
          <DeadLetterActions deadLetter={d} />
        </div>
      </header>
      <div className="grid gap-3 lg:grid-cols-3">
        <div className="space-y-3 lg:col-span-2">
          <ParkedPanel deadLetter={d} />
          <EditedRetryNote history={d.history} />
          <BodyViewer body={d.body} violations={d.validation.violations} contentType={d.contentType} />
          <ValidationPanel validation={d.validation} unreadable={d.status === 'unreadable'} />
          <KeyValueTable title="Headers" table={d.headers} testId="headers" kind="headers" />
          <KeyValueTable title="Properties" table={d.properties} testId="properties" kind="properties" />
        </div>
        <div className="space-y-3">
          <Section title="Summary" testId="summary">
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
              {facts.map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="min-w-0 break-all">{v}</dd>
                </div>
              ))}
            </dl>
          </Section>
          <DeathTimeline deaths={d.deaths} unreadable={d.status === 'unreadable'} />
          <HistoryList history={d.history} />
        </div>
      </div>
    </div>
  );
}
