'use client';
// The notification channel form: creating a channel (kind chosen here) and editing one (its
// current settings filled in; the kind and the signing secret stay). Reads the fields into the
// API's shape; the server validates them again (lib/schemas/notifications.ts).
import { useState, type FormEvent } from 'react';
import { formText } from '@/components/ui/form-text';
import { EVENT_TYPES } from '@/lib/events/registry';
import { UNKNOWN_TYPE } from '@/lib/groups/signature';
import {
  NOTIFICATION_EVENTS,
  type CreateChannelInput,
  type NotificationChannel,
  type NotificationEvent,
  type UpdateChannelInput,
} from '@/lib/schemas/notifications';

export const EVENT_LABELS: Record<NotificationEvent, string> = {
  'group.new': 'new failure group',
  'group.reopened': 'group reopened',
  'dlq.rate': 'dead-letter rate',
  'drain.stopped': 'drain stopped',
  'queue.no_consumers': 'queue without consumers',
  test: 'test',
};

/** What the form holds, in the API's shape (without the kind when editing). */
export type ChannelFields = Omit<CreateChannelInput, 'kind'> & { kind?: CreateChannelInput['kind']; eventTypes: string[] };

/** The names of a comma-separated list of event types. */
const typeNames = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const KNOWN_TYPES = new Set([...EVENT_TYPES, UNKNOWN_TYPE]);

/**
 * The names in the list that no contract defines (a typo such as order.placed): a filter on them
 * matches only dead letters whose body names that type, so the channel may never fire for them.
 */
export const unknownEventTypes = (text: string) => typeNames(text).filter((t) => !KNOWN_TYPES.has(t));

const number = (form: FormData, name: string) => {
  const raw = formText(form, name).trim();
  return raw === '' ? undefined : Number(raw);
};

function readFields(form: FormData, editing: boolean): ChannelFields {
  const count = number(form, 'rateCount');
  const minutes = number(form, 'rateMinutes');
  const drainStoppedSeconds = number(form, 'drainStoppedSeconds');
  const noConsumersSeconds = number(form, 'noConsumersSeconds');
  return {
    ...(editing ? {} : { kind: formText(form, 'kind') as CreateChannelInput['kind'] }),
    name: formText(form, 'name'),
    url: formText(form, 'url'),
    events: form.getAll('events').map(String) as NotificationEvent[],
    // empty: every type (an edit sends [] to clear the filter)
    eventTypes: typeNames(formText(form, 'eventTypes')),
    ...(count && minutes ? { rate: { count, minutes } } : {}),
    ...(drainStoppedSeconds !== undefined ? { drainStoppedSeconds } : {}),
    ...(noConsumersSeconds !== undefined ? { noConsumersSeconds } : {}),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

/**
 * What an edit changes: only the fields whose values differ from the channel as it was opened, so
 * a save neither overwrites what another admin changed meanwhile in other fields nor reorders the
 * events (an audit entry for nothing).
 */
export function changedFields(channel: NotificationChannel, fields: ChannelFields): UpdateChannelInput {
  const out: UpdateChannelInput = {};
  if (fields.name !== channel.name) out.name = fields.name;
  if (fields.url !== channel.url) out.url = fields.url;
  if (!sameSet(fields.events, channel.events)) out.events = fields.events;
  if (!sameSet(fields.eventTypes, channel.eventTypes)) out.eventTypes = fields.eventTypes;
  if (fields.rate && (fields.rate.count !== channel.rate.count || fields.rate.minutes !== channel.rate.minutes)) out.rate = fields.rate;
  if (fields.drainStoppedSeconds !== undefined && fields.drainStoppedSeconds !== channel.drainStoppedSeconds)
    out.drainStoppedSeconds = fields.drainStoppedSeconds;
  if (fields.noConsumersSeconds !== undefined && fields.noConsumersSeconds !== channel.noConsumersSeconds) out.noConsumersSeconds = fields.noConsumersSeconds;
  return out;
}

const input = 'rounded border border-slate-300 px-2 py-1';

export function ChannelForm({
  channel,
  label,
  submitLabel,
  pending,
  onSubmit,
  onCancel,
}: {
  /** the channel being edited; absent: a new one */
  channel?: NotificationChannel;
  label: string;
  submitLabel: string;
  pending: boolean;
  /** resolves when saved (the form then resets, when creating) */
  onSubmit: (fields: ChannelFields) => Promise<boolean>;
  onCancel?: () => void;
}) {
  const editing = channel !== undefined;
  // bumped when the form resets: the event types field keeps its text in state, not in the form
  const [resets, setResets] = useState(0);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    if ((await onSubmit(readFields(new FormData(formEl), editing))) && !editing) {
      formEl.reset();
      setResets((n) => n + 1);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-2 rounded border border-slate-200 p-3 text-sm" aria-label={label}>
      <div className="flex flex-wrap items-end gap-2">
        {editing ? (
          <p className="flex flex-col">
            <span className="text-slate-600">Kind</span>
            <span className="py-1">{channel.kind}</span>
          </p>
        ) : (
          <label className="flex flex-col">
            <span className="text-slate-600">Kind</span>
            <select name="kind" className={input} defaultValue="webhook">
              <option value="webhook">Webhook (JSON)</option>
              <option value="slack">Slack</option>
            </select>
          </label>
        )}
        <label className="flex flex-col">
          <span className="text-slate-600">Name</span>
          <input name="name" required maxLength={100} defaultValue={channel?.name} className={input} />
        </label>
        <label className="flex min-w-[20rem] flex-1 flex-col">
          <span className="text-slate-600">URL (http or https)</span>
          <input name="url" type="url" required maxLength={2000} pattern="https?://.+" defaultValue={channel?.url} className={input} />
        </label>
      </div>
      <fieldset className="flex flex-wrap gap-3">
        <legend className="text-slate-600">Events</legend>
        {NOTIFICATION_EVENTS.map((ev) => (
          <label key={ev} className="flex items-center gap-1">
            <input type="checkbox" name="events" value={ev} defaultChecked={channel ? channel.events.includes(ev) : ev !== 'test'} />
            <span>
              <code>{ev}</code> <span className="text-slate-500">({EVENT_LABELS[ev]})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-end gap-2">
        <EventTypesField key={resets} initial={channel?.eventTypes.join(', ') ?? ''} />
        <label className="flex flex-col">
          <span className="text-slate-600">dlq.rate: more than</span>
          <input name="rateCount" type="number" min={1} max={1_000_000} defaultValue={channel?.rate.count ?? 100} className={`w-24 ${input}`} />
        </label>
        <label className="flex flex-col">
          <span className="text-slate-600">dead letters in (minutes)</span>
          <input name="rateMinutes" type="number" min={1} max={1440} defaultValue={channel?.rate.minutes ?? 5} className={`w-24 ${input}`} />
        </label>
        <label className="flex flex-col">
          <span className="text-slate-600">drain.stopped after (s)</span>
          <input name="drainStoppedSeconds" type="number" min={10} max={86_400} defaultValue={channel?.drainStoppedSeconds ?? 60} className={`w-24 ${input}`} />
        </label>
        <label className="flex flex-col">
          <span className="text-slate-600">queue.no_consumers after (s)</span>
          <input name="noConsumersSeconds" type="number" min={10} max={86_400} defaultValue={channel?.noConsumersSeconds ?? 120} className={`w-24 ${input}`} />
        </label>
        <button type="submit" disabled={pending} className="rounded bg-indigo-600 px-3 py-1 font-medium text-white disabled:opacity-50">
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} className="rounded border border-slate-300 px-3 py-1">
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** "Only event types": says which names no contract defines, while they are typed. */
function EventTypesField({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const unknown = unknownEventTypes(text);
  return (
    <label className="flex flex-col">
      <span className="text-slate-600">Only event types (comma-separated, empty: all)</span>
      <input
        name="eventTypes"
        maxLength={2000}
        value={text}
        onChange={(e) => setText(e.target.value)}
        className={`w-72 ${input}`}
        placeholder="order.created, user.created"
        aria-describedby={unknown.length ? 'event-types-unknown' : undefined}
      />
      {unknown.length ? (
        <span id="event-types-unknown" data-testid="event-types-unknown" className="mt-1 w-72 text-xs text-amber-800">
          Not an event type of the contracts: {unknown.join(', ')}. The channel fires for it only if dead letters name it.
        </span>
      ) : null}
    </label>
  );
}
