'use client';
import { THROUGHPUT_RANGES, type ThroughputRange } from '@/lib/schemas/stats';

const LABELS: Record<ThroughputRange, string> = { '15m': '15 min', '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d' };

export function RangePicker({ value, onChange }: { value: ThroughputRange; onChange: (r: ThroughputRange) => void }) {
  return (
    <div role="radiogroup" aria-label="Time range" data-testid="range-picker" className="inline-flex overflow-hidden rounded border border-slate-300 text-xs">
      {(Object.keys(THROUGHPUT_RANGES) as ThroughputRange[]).map((r) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={r === value}
          data-testid={`range-${r}`}
          onClick={() => onChange(r)}
          className={`px-2.5 py-1 ${r === value ? 'bg-indigo-600 text-white' : 'bg-white text-slate-700 hover:bg-slate-50'}`}
        >
          {LABELS[r]}
        </button>
      ))}
    </div>
  );
}
