'use client';
// Notification channels (issue 16): create (the signing secret shown once), list, enable /
// disable, Send test, delete, and the selected channel's last 50 deliveries.
import { useState, type FormEvent } from 'react';
import { useCreateNotificationChannel } from '@/components/hooks/use-create-notification-channel';
import { useNotificationChannels } from '@/components/hooks/use-notification-channels';
import { useNotificationDeliveries } from '@/components/hooks/use-notification-deliveries';
import { useTestNotificationChannel } from '@/components/hooks/use-test-notification-channel';
import { useDeleteNotificationChannel, useUpdateNotificationChannel } from '@/components/hooks/use-update-notification-channel';
import { formText } from '@/components/ui/form-text';
import { TimeAgo, useTimeFormat } from '@/components/ui/preferences';
import { NOTIFICATION_EVENTS, type NotificationChannel, type NotificationEvent } from '@/lib/schemas/notifications';
import { ShownOnce } from './shown-once';

const EVENT_LABELS: Record<NotificationEvent, string> = {
  'group.new': 'new failure group',
  'group.reopened': 'group reopened',
  'dlq.rate': 'dead-letter rate',
  'drain.stopped': 'drain stopped',
  'queue.no_consumers': 'queue without consumers',
  test: 'test',
};

export function NotificationsPanel() {
  const channels = useNotificationChannels();
  const create = useCreateNotificationChannel();
  const update = useUpdateNotificationChannel();
  const remove = useDeleteNotificationChannel();
  const test = useTestNotificationChannel();
  const { formatTime } = useTimeFormat();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const shown = selected ?? channels.data?.items[0]?.id ?? null;

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setError(null);
    const eventTypes = formText(form, 'eventTypes')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const count = Number(formText(form, 'rateCount'));
    const minutes = Number(formText(form, 'rateMinutes'));
    try {
      const result = await create.mutateAsync({
        kind: formText(form, 'kind') as NotificationChannel['kind'],
        name: formText(form, 'name'),
        url: formText(form, 'url'),
        events: form.getAll('events').map(String) as NotificationEvent[],
        ...(eventTypes.length ? { eventTypes } : {}),
        ...(count && minutes ? { rate: { count, minutes } } : {}),
      });
      setCreated({ name: result.item.name, secret: result.secret });
      setSelected(result.item.id);
      formEl.reset();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const act = (p: Promise<unknown>) => p.catch((err: Error) => setError(err.message));

  return (
    <section aria-labelledby="notifications-heading" className="space-y-3" data-testid="notifications-panel">
      <h2 id="notifications-heading" className="font-medium">
        Notifications
      </h2>
      <p className="text-sm text-slate-600">
        Webhooks (a signed JSON POST) and Slack incoming webhooks. Each request carries <code>X-EventDesk-Event</code>, <code>X-EventDesk-Delivery</code> (the
        same on every retry) and <code>X-EventDesk-Signature: sha256=…</code> (HMAC-SHA256 of the body with the channel&apos;s secret). Retried with backoff for
        24 h; redirects are not followed.
      </p>
      <form onSubmit={onCreate} className="space-y-2 rounded border border-slate-200 p-3 text-sm" aria-label="Create channel">
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col">
            <span className="text-slate-600">Kind</span>
            <select name="kind" className="rounded border border-slate-300 px-2 py-1" defaultValue="webhook">
              <option value="webhook">Webhook (JSON)</option>
              <option value="slack">Slack</option>
            </select>
          </label>
          <label className="flex flex-col">
            <span className="text-slate-600">Name</span>
            <input name="name" required maxLength={100} className="rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="flex min-w-[20rem] flex-1 flex-col">
            <span className="text-slate-600">URL (http or https)</span>
            <input name="url" type="url" required maxLength={2000} pattern="https?://.+" className="rounded border border-slate-300 px-2 py-1" />
          </label>
        </div>
        <fieldset className="flex flex-wrap gap-3">
          <legend className="text-slate-600">Events</legend>
          {NOTIFICATION_EVENTS.map((ev) => (
            <label key={ev} className="flex items-center gap-1">
              <input type="checkbox" name="events" value={ev} defaultChecked={ev !== 'test'} />
              <span>
                <code>{ev}</code> <span className="text-slate-500">({EVENT_LABELS[ev]})</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col">
            <span className="text-slate-600">Only event types (comma-separated, empty: all)</span>
            <input name="eventTypes" maxLength={2000} className="w-72 rounded border border-slate-300 px-2 py-1" placeholder="order.placed, user.created" />
          </label>
          <label className="flex flex-col">
            <span className="text-slate-600">dlq.rate: more than</span>
            <input name="rateCount" type="number" min={1} defaultValue={100} className="w-24 rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="flex flex-col">
            <span className="text-slate-600">dead letters in (minutes)</span>
            <input name="rateMinutes" type="number" min={1} max={1440} defaultValue={5} className="w-24 rounded border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" disabled={create.isPending} className="rounded bg-indigo-600 px-3 py-1 font-medium text-white disabled:opacity-50">
            Create channel
          </button>
        </div>
      </form>
      {created && (
        <ShownOnce
          label={`Signing secret of "${created.name}" (X-EventDesk-Signature).`}
          value={created.secret}
          testId="new-channel-secret"
          onDone={() => setCreated(null)}
        />
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {channels.isError && <p className="text-sm text-red-700">Could not load channels: {channels.error.message}</p>}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="channels-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 font-normal">Name</th>
              <th className="font-normal">Kind</th>
              <th className="font-normal">URL</th>
              <th className="font-normal">Events</th>
              <th className="font-normal">Created</th>
              <th className="font-normal" />
            </tr>
          </thead>
          <tbody>
            {channels.data?.items.length === 0 && (
              <tr>
                <td colSpan={6} className="py-2 text-slate-500">
                  No channels yet.
                </td>
              </tr>
            )}
            {channels.data?.items.map((c) => (
              <tr
                key={c.id}
                className={`border-t border-slate-100 ${c.id === shown ? 'bg-indigo-50' : ''}`}
                data-testid="channel-row"
                data-name={c.name}
                aria-selected={c.id === shown}
              >
                <td className="py-1">
                  <button type="button" className="text-left text-indigo-700 hover:underline" onClick={() => setSelected(c.id)} title="Show its deliveries">
                    {c.name}
                  </button>
                  {!c.enabled && <span className="ml-1 text-xs text-slate-500">(disabled)</span>}
                </td>
                <td>{c.kind}</td>
                <td className="max-w-[14rem] truncate font-mono text-xs" title={c.url}>
                  {c.url}
                </td>
                <td className="max-w-[16rem] text-xs">
                  {c.events.join(', ')}
                  {c.eventTypes.length > 0 && <span className="text-slate-500"> · types: {c.eventTypes.join(', ')}</span>}
                  {c.events.includes('dlq.rate') && (
                    <span className="text-slate-500">
                      {' '}
                      · rate &gt; {c.rate.count} / {c.rate.minutes} min
                    </span>
                  )}
                </td>
                <td className="text-xs">
                  {formatTime(c.createdAt)}
                  <br />
                  <span className="text-slate-500">by {c.createdBy}</span>
                </td>
                <td className="space-x-2 whitespace-nowrap pl-2">
                  <button
                    type="button"
                    className="text-indigo-700 hover:underline"
                    disabled={test.isPending}
                    onClick={() => {
                      setSelected(c.id);
                      void act(test.mutateAsync(c.id));
                    }}
                  >
                    Send test
                  </button>
                  <button
                    type="button"
                    className="text-slate-700 hover:underline"
                    disabled={update.isPending}
                    onClick={() => void act(update.mutateAsync({ id: c.id, enabled: !c.enabled }))}
                  >
                    {c.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    className="text-red-700 hover:underline"
                    disabled={remove.isPending}
                    onClick={() => {
                      if (window.confirm(`Delete the channel "${c.name}" and its delivery log?`)) void act(remove.mutateAsync(c.id));
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown && <Deliveries channel={channels.data?.items.find((c) => c.id === shown) ?? null} channelId={shown} />}
    </section>
  );
}

function Deliveries({ channel, channelId }: { channel: NotificationChannel | null; channelId: string }) {
  const deliveries = useNotificationDeliveries(channelId);
  const { formatTime } = useTimeFormat();
  return (
    <div className="space-y-1">
      <h3 className="text-sm font-medium">Last 50 deliveries{channel ? ` of “${channel.name}”` : ''}</h3>
      {deliveries.isError && <p className="text-sm text-red-700">Could not load deliveries: {deliveries.error.message}</p>}
      <table className="w-full text-left text-sm" data-testid="deliveries-table">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 font-normal">Time</th>
            <th className="font-normal">Event</th>
            <th className="font-normal">Status</th>
            <th className="font-normal">HTTP status or error</th>
            <th className="font-normal">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data?.items.length === 0 && (
            <tr>
              <td colSpan={5} className="py-2 text-slate-500">
                Nothing delivered yet. “Send test” sends one now.
              </td>
            </tr>
          )}
          {deliveries.data?.items.map((d) => (
            <tr
              key={d.id}
              className="border-t border-slate-100"
              data-testid="delivery-row"
              data-status={d.status}
              data-event={d.type}
              title={`delivery ${d.id}`}
            >
              <td className="py-1">
                <TimeAgo iso={d.createdAt} />
              </td>
              <td>
                <code>{d.type}</code>
              </td>
              <td className={d.status === 'delivered' ? 'text-emerald-700' : d.status === 'failed' ? 'text-red-700' : 'text-amber-700'}>
                {d.status === 'failed' ? 'gave up' : d.status}
                {d.status === 'pending' && d.attempts > 0 && <span className="text-slate-500"> (next {formatTime(d.nextAttemptAt)})</span>}
              </td>
              <td data-testid="delivery-result">{d.lastError && d.lastStatusCode === null ? d.lastError : (d.lastStatusCode ?? '—')}</td>
              <td>{d.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
