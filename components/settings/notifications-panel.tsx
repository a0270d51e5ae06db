'use client';
// Notification channels (issue 16): create (the signing secret shown once), list, edit, enable /
// disable, Send test, delete, and the selected channel's last 50 deliveries.
import { Fragment, useState } from 'react';
import { useCreateNotificationChannel } from '@/components/hooks/use-create-notification-channel';
import { useNotificationChannels } from '@/components/hooks/use-notification-channels';
import { useNotificationDeliveries } from '@/components/hooks/use-notification-deliveries';
import { useTestNotificationChannel } from '@/components/hooks/use-test-notification-channel';
import { useDeleteNotificationChannel, useUpdateNotificationChannel } from '@/components/hooks/use-update-notification-channel';
import { TimeAgo, useTimeFormat } from '@/components/ui/preferences';
import type { CreateChannelInput, NotificationChannel } from '@/lib/schemas/notifications';
import { ChannelForm, changedFields, type ChannelFields } from './channel-form';
import { ShownOnce } from './shown-once';

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

  const [editing, setEditing] = useState<string | null>(null);

  /** Runs a save: true when it went through, else its error shown (the form stays as typed). */
  async function saved(work: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  }

  const onCreate = (fields: ChannelFields) =>
    saved(async () => {
      const result = await create.mutateAsync(fields as CreateChannelInput);
      setCreated({ name: result.item.name, secret: result.secret });
      setSelected(result.item.id);
    });

  const onEdit = (channel: NotificationChannel, fields: ChannelFields) =>
    saved(async () => {
      const changes = changedFields(channel, fields);
      if (Object.keys(changes).length) await update.mutateAsync({ id: channel.id, ...changes });
      setEditing(null);
    });

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
      <ChannelForm label="Create channel" submitLabel="Create channel" pending={create.isPending} onSubmit={onCreate} />
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
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="channels-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 font-normal">Name</th>
              <th className="font-normal">Kind</th>
              <th className="font-normal">URL</th>
              <th className="font-normal">Events</th>
              <th className="font-normal">Created</th>
              <th className="font-normal">
                <span className="sr-only">Actions</span>
              </th>
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
              <Fragment key={c.id}>
                <tr
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
                    {c.events.includes('drain.stopped') && <span className="text-slate-500"> · drain stopped &gt; {c.drainStoppedSeconds} s</span>}
                    {c.events.includes('queue.no_consumers') && <span className="text-slate-500"> · no consumers &gt; {c.noConsumersSeconds} s</span>}
                  </td>
                  <td className="text-xs">
                    {formatTime(c.createdAt)}
                    <br />
                    <span className="text-slate-500">by {c.createdBy}</span>
                  </td>
                  <td className="space-x-2 whitespace-nowrap pl-2">
                    <button
                      type="button"
                      className="text-slate-700 hover:underline"
                      aria-expanded={editing === c.id}
                      onClick={() => {
                        setEditing(editing === c.id ? null : c.id);
                        setError(null);
                      }}
                    >
                      Edit
                    </button>
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
                {editing === c.id && (
                  <tr data-testid="channel-edit-row">
                    <td colSpan={6} className="py-2">
                      <ChannelForm
                        channel={c}
                        label={`Edit channel ${c.name}`}
                        submitLabel="Save changes"
                        pending={update.isPending}
                        onSubmit={(fields) => onEdit(c, fields)}
                        onCancel={() => {
                          setEditing(null);
                          setError(null);
                        }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
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
      <div className="relative overflow-x-auto">
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
    </div>
  );
}
