// A tiny inline SVG line of deaths per hour (oldest first).
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 120;
  const h = 24;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} data-testid="sparkline" className="overflow-visible">
      <title>{label}</title>
      <polyline points={`0,${h - 2} ${points} ${w},${h - 2}`} fill="rgb(224 231 255)" stroke="none" />
      <polyline points={points} fill="none" stroke="rgb(79 70 229)" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
