// What a notification says: the JSON body of a webhook delivery (and the Slack message built from
// the same body), and its signature. Pure functions: the sender (sender.ts) reads the rows.
import { createHmac } from 'node:crypto';
import type { NotificationBody, NotificationEvent } from '@/lib/schemas/notifications';

/** An outbox row as the sender reads it, with the group's counts read at send time. */
export interface OutboxEvent {
  type: NotificationEvent;
  groupId: string | null;
  eventType: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** failure_groups' row now (counts and effective status at send time), null when the event names no group or it is gone */
  group: (Omit<NonNullable<NotificationBody['group']>, 'url' | 'status'> & { status?: string | null }) | null;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The body of one delivery; consoleUrl is NEXTAUTH_URL (deep links). */
export function buildBody(event: OutboxEvent, deliveryId: string, consoleUrl: string, channelName: string): NotificationBody {
  const base = trimSlash(consoleUrl);
  const p = event.payload;
  const body: NotificationBody = { type: event.type, deliveryId, at: event.createdAt.toISOString(), summary: '', console: base };
  if (event.type === 'group.new' || event.type === 'group.reopened') {
    const written = obj(p.group);
    const g = event.group;
    const id = g?.id ?? event.groupId ?? str(written.id) ?? '';
    // the incident's own page: status, assignee, notes, its dead letters and the actions
    const url = `${base}/groups/${encodeURIComponent(id)}`;
    body.group = {
      id,
      eventType: g?.eventType ?? str(written.eventType) ?? event.eventType ?? '',
      queue: g?.queue ?? str(written.queue) ?? '',
      reason: g?.reason ?? str(written.reason) ?? '',
      signature: g?.signature ?? str(written.signature) ?? '',
      count: g?.count ?? num(written.count),
      pendingCount: g?.pendingCount ?? num(written.pendingCount),
      url,
    };
    const status = g?.status ?? str(written.status);
    if (status) body.group.status = status;
    body.console = url;
    const what = `${body.group.eventType || 'unknown type'} in ${body.group.queue || 'an unknown queue'}: ${body.group.reason || 'no reason'}`;
    body.summary =
      event.type === 'group.new'
        ? `New failure group: ${what} (${body.group.count} dead letters)`
        : `Failure group reopened (regression): ${what} (${body.group.pendingCount} pending)`;
  } else if (event.type === 'dlq.rate') {
    const r = obj(p.rate);
    body.rate = { count: num(r.count), minutes: num(r.minutes) };
    const eventType = str(r.eventType) ?? event.eventType ?? undefined;
    if (eventType) body.rate.eventType = eventType;
    body.console = `${base}/throughput`;
    body.summary = `${body.rate.count} dead letters in the last ${body.rate.minutes} min${eventType ? ` (${eventType})` : ''}, more than ${num(r.threshold)}`;
  } else if (event.type === 'drain.stopped') {
    const d = obj(p.drain);
    body.drain = { state: str(d.state) ?? 'stopped', since: str(d.since) ?? body.at };
    body.console = `${base}/queues`;
    body.summary = `The drain is ${body.drain.state} since ${body.drain.since}${str(d.error) ? `: ${str(d.error)}` : ''}`;
  } else if (event.type === 'queue.no_consumers') {
    const q = obj(p.queue);
    body.queue = { name: str(q.name) ?? '', messages: num(q.messages), consumers: num(q.consumers) };
    body.console = `${base}/queues`;
    body.summary = `Queue ${body.queue.name} has ${body.queue.messages} messages waiting and no consumer`;
  } else {
    body.console = `${base}/settings`;
    body.summary = `Test notification from EventDesk to the channel "${channelName}"`;
  }
  return body;
}

/** Slack's mrkdwn control characters (user content: reasons, queue names). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack-compatible incoming webhook message: {text, blocks} built from the same body. */
export function slackMessage(body: NotificationBody): { text: string; blocks: unknown[] } {
  const text = `[EventDesk] ${slackEscape(body.summary)}`;
  // the link's URL is ours (NEXTAUTH_URL + ids), but "|" and ">" would end it early
  const link = body.console.replace(/[|>]/g, encodeURIComponent);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(body.type)}*  ${slackEscape(body.summary)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in EventDesk> · delivery ${body.deliveryId}` }] },
    ],
  };
}

/** The raw bytes sent for a channel of this kind. */
export function encodeBody(kind: string, body: NotificationBody): Buffer {
  return Buffer.from(JSON.stringify(kind === 'slack' ? slackMessage(body) : body), 'utf8');
}

/** X-EventDesk-Signature: sha256=<hex HMAC-SHA256 of the raw body with the channel's secret> */
export function signBody(secret: string, raw: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
