// The platform's consumer queues and the event types bound to each, as the spec's topology says.
import 'server-only';

/** queue name -> event types it consumes */
export function platformQueueBindings(): Map<string, string[]> {
  return new Map();
}
