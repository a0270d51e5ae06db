// What a handler receives: the validated event in its type's current major, and its context.
import type { MessagePropertyHeaders } from 'amqplib';
import type { Logger } from 'pino';
import type { CurrentEvents, EventType } from '@/lib/events/event-types';

export interface HandlerContext {
  service: string;
  eventType: EventType;
  correlationId: string;
  traceparent?: string;
  /** 1 for the first delivery, 2 after the first retry, ... */
  attempt: number;
  /** the version the producer published (the event itself is upcast to the current major) */
  publishedVersion: string;
  /** a child logger carrying service, eventId, eventType and correlationId */
  logger: Logger;
  /** aborted when the handler runs past its timeout: stop work and return */
  signal: AbortSignal;
  headers: MessagePropertyHeaders;
}

export type EventHandler<T extends EventType> = (event: CurrentEvents[T], context: HandlerContext) => Promise<void> | void;

export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export type Outcome = 'handled' | 'duplicate' | 'retried' | 'dead-lettered';

export interface OutcomeReport {
  service: string;
  outcome: Outcome;
  eventId?: string;
  eventType?: string;
  attempt: number;
  /** why it was retried or dead-lettered */
  reason?: string;
}
