// Starts the background services of one EventDesk process (web server or `npm run worker`).
// STUB: the drain work fills this in (drainer, retention purge); the tap and jobs join later.
import { env } from '@/lib/env';
import { logger } from '@/lib/log';

export function startBackground(): void {
  const settings = env();
  logger.info({ drain: settings.DRAIN, tap: settings.TAP }, 'background services: not implemented yet');
}
