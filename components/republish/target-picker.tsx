'use client';
// Where a republish goes: by default the consumer queue it died in (only that consumer sees it
// again); or an exchange + routing key, which every bound consumer receives.
import type { RepublishTargetInput } from '@/lib/schemas/republish';

export function TargetPicker({ queue, value, onChange }: { queue: string; value: RepublishTargetInput; onChange: (t: RepublishTargetInput) => void }) {
  const viaExchange = value.kind === 'exchange';
  return (
    <fieldset className="mt-3 text-sm">
      <legend className="font-medium text-slate-700">Target</legend>
      <label className="mt-1 flex items-center gap-2">
        <input type="radio" name="target" checked={!viaExchange} onChange={() => onChange({ kind: 'origin' })} disabled={!queue} />
        The queue it died in {queue ? <code className="text-xs">{queue}</code> : <em>(unknown: no x-death)</em>}
      </label>
      <label className="mt-1 flex items-center gap-2">
        <input type="radio" name="target" checked={viaExchange} onChange={() => onChange({ kind: 'exchange', routingKey: '' })} />
        An exchange and routing key
      </label>
      {viaExchange ? (
        <div className="mt-2 space-y-2 pl-6">
          <p role="alert" className="rounded border border-amber-200 bg-amber-50 px-2 py-1 text-amber-900">
            Every consumer bound to this routing key will receive the message again, not only the one that failed.
          </p>
          <label className="block">
            Exchange <span className="text-slate-500">(empty: the one it was first published to)</span>
            <input
              className="mt-0.5 block w-full rounded border border-slate-300 px-2 py-1"
              value={value.exchange ?? ''}
              onChange={(e) => onChange({ ...value, exchange: e.target.value || undefined })}
            />
          </label>
          <label className="block">
            Routing key
            <input
              className="mt-0.5 block w-full rounded border border-slate-300 px-2 py-1"
              value={value.routingKey}
              onChange={(e) => onChange({ ...value, routingKey: e.target.value })}
              required
            />
          </label>
        </div>
      ) : null}
    </fieldset>
  );
}
