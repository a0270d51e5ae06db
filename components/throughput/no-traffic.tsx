// Empty state: no events counted yet, and how to make some.
import type { Summary } from '@/lib/schemas/stats';

export function NoTraffic({ tap }: { tap: Summary['tap'] }) {
  return (
    <div role="status" data-testid="no-traffic" className="rounded border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-700">
      <p className="font-medium">No traffic counted yet.</p>
      <p className="mt-1">
        Start the simulated platform in another terminal: <code className="rounded bg-slate-100 px-1">npm run demo</code> (bounded:{' '}
        <code className="rounded bg-slate-100 px-1">npm run demo -- --count 1000 --rate 50</code>).
      </p>
      <p className="mt-1 text-xs text-slate-500">
        {tap
          ? `The tap is ${tap.state} on ${tap.exchange} (queue ${tap.queue}).`
          : 'This server runs no tap (TAP=false): counts come from a worker (npm run worker) when one runs.'}
      </p>
    </div>
  );
}
