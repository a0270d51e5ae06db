// The library's default logger (pino, LOG_LEVEL); every option that logs takes `logger` instead.
import pino from 'pino';

const cache = globalThis as unknown as { __eduPlatformLogger?: pino.Logger };

export const platformLogger: pino.Logger = (cache.__eduPlatformLogger ??= pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { lib: 'edu-platform' },
  timestamp: pino.stdTimeFunctions.isoTime,
}));
