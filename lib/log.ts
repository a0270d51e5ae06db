// Structured logs (pino). Child loggers carry eventId / correlationId so one grep follows an event.
import pino from 'pino';

const cache = globalThis as unknown as { __eventdeskLogger?: pino.Logger };

export const logger: pino.Logger = (cache.__eventdeskLogger ??= pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { app: 'eventdesk' },
  timestamp: pino.stdTimeFunctions.isoTime,
}));
