// Small pieces the sentence modules share (history, audit, AMQP properties): an object's fields
// as labelled values when no sentence knows them, short ids, plural words, who an actor is.

export interface Fact {
  label: string;
  value: string;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The first 8 characters of an id: enough to tell records apart on one screen. */
export const shortId = (id: string) => (id.length > 8 ? id.slice(0, 8) : id);

/** "routingKey" -> "routing key", "x-death" stays. */
export function humanKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "1 retry", "3 retries" */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Actors as a person reads them: the drain and the background jobs by what they are. */
export function actorName(actor: string): string {
  if (actor === 'drain') return 'the drain';
  if (actor === 'system') return 'EventDesk';
  return actor;
}

/** A value as one line of text: strings as they are, the rest as compact JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** Every field of details not named in skip, as labelled values (what no sentence says). */
export function labelledFacts(details: unknown, skip: readonly string[] = []): Fact[] {
  if (details === null || details === undefined) return [];
  if (!isRecord(details)) return [{ label: 'value', value: valueText(details) }];
  return Object.entries(details)
    .filter(([k, v]) => !skip.includes(k) && v !== undefined && v !== null)
    .map(([k, v]) => ({ label: humanKey(k), value: valueText(v) }));
}
