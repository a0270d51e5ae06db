// When the demo injects what, counted in published events so a run with --count always gets
// every kind of failure, and an endless run gets them again periodically.
import type { DemoOptions } from './demo-options';

export type Injection = 'contract' | 'poison' | 'downstream' | 'timeout' | 'flaky';

type ScheduleOptions = Pick<DemoOptions, 'count' | 'rate' | 'injectEveryMs' | 'stopAfterMs' | 'stopForMs' | 'stopEveryMs'>;

function period(o: ScheduleOptions): number {
  return o.count ?? Math.max(20, Math.round((o.rate * o.injectEveryMs) / 1000));
}

/** At most one injection per event slot, spread over the first third of each period. */
export function injectionAt(i: number, o: ScheduleOptions): Injection | undefined {
  const p = period(o);
  const at = (fraction: number, slot: number) => Math.floor(p * fraction) + slot;
  switch (i % p) {
    case at(0.02, 1):
      return 'contract';
    case at(0.04, 2):
      return 'downstream';
    case at(0.06, 3):
      return 'poison';
    case at(0.08, 4):
      return 'timeout';
    case at(0.1, 5):
      return 'flaky';
    default:
      return undefined;
  }
}

/** With count: stop at 25 % of the events, resume at 75 %; endless: after stopAfterMs, every stopEveryMs. */
export function stopActionAt(i: number, o: ScheduleOptions): 'stop' | 'resume' | undefined {
  const events = (ms: number) => Math.round((o.rate * ms) / 1000);
  const cycle = o.count === undefined ? Math.max(events(o.stopEveryMs), 1) : Infinity;
  const offset = cycle === Infinity ? i : i % cycle;
  const stopAt = o.count === undefined ? events(o.stopAfterMs) : Math.floor(o.count * 0.25);
  const resumeAt = o.count === undefined ? stopAt + events(o.stopForMs) : Math.floor(o.count * 0.75);
  if (offset === stopAt) return 'stop';
  if (offset >= resumeAt) return 'resume';
  return undefined;
}
