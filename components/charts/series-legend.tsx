'use client';
// A legend of toggle buttons (one per series): keyboard reachable, aria-pressed says what is
// shown. Used instead of recharts' <Legend> so one legend drives several charts.
export interface LegendItem {
  name: string;
  color: string;
  hidden: boolean;
}

export function SeriesLegend({ items, onToggle, onShowAll }: { items: LegendItem[]; onToggle: (name: string) => void; onShowAll: () => void }) {
  return (
    <div role="group" aria-label="Event types shown" data-testid="type-legend" className="flex flex-wrap items-center gap-1.5 text-xs">
      {items.map((it) => (
        <button
          key={it.name}
          type="button"
          aria-pressed={!it.hidden}
          data-testid={`legend-${it.name}`}
          onClick={() => onToggle(it.name)}
          className={`inline-flex items-center gap-1 rounded border px-2 py-0.5 ${it.hidden ? 'border-slate-200 text-slate-500 line-through' : 'border-slate-300 text-slate-800'}`}
        >
          <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: it.hidden ? '#cbd5e1' : it.color }} />
          {it.name}
        </button>
      ))}
      {items.some((i) => i.hidden) ? (
        <button type="button" onClick={onShowAll} className="px-1 text-indigo-700 underline">
          show all
        </button>
      ) : null}
    </div>
  );
}
