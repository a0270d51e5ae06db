// Every wait on the broker has a deadline (README, Hardening): a broker under a memory or disk
// alarm stops reading a connection that publishes, and a queue process busy with a huge backlog
// answers late; neither closes the connection, so heartbeats do not end the wait.
import { ignoreClosing } from './ignore-closing';

/** p, or a rejection naming `what` after ms. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Closes a channel without waiting more than ms on a broker that does not answer: the close goes
 * on, and the channel goes with its connection. Errors are those of ignoreClosing (none).
 */
export async function closeWithin(resource: { close(): Promise<void> }, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([resource.close().catch(ignoreClosing), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
