'use client';
// A time-series chart of one measure per series (events/s, %), stacked areas or plain lines.
// The wrapper carries the test id and what is shown (data-*), because recharts' legend icons
// are svg.recharts-surface too: tests select the chart by test id and role="img".
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTimeIn } from '@/components/ui/format';
import { usePreferences } from '@/components/ui/preferences';

export interface ChartSeries {
  key: string;
  name: string;
  color: string;
  hidden?: boolean;
  /** drawn dashed and thicker, above the others (a total over every series) */
  emphasis?: boolean;
}

export interface RateChartProps {
  testId: string;
  label: string;
  rows: Record<string, number>[];
  series: ChartSeries[];
  /** stacked areas; false: one line per series */
  stacked: boolean;
  unit: string;
  /** bucket size, for the time axis labels */
  bucketSeconds: number;
  height?: number;
}

// axis labels and the tooltip in the zone the user chose (UTC or local)
function timeLabel(bucketSeconds: number, zone: string) {
  return (ms: number) => {
    const text = formatTimeIn(new Date(ms).toISOString(), zone);
    return bucketSeconds >= 3600 ? `${text.slice(5, 10)} ${text.slice(11, 16)}` : text.slice(11, 16);
  };
}

// grid, axes and tooltip per theme (recharts takes colours as props, not classes)
const CHART_COLORS = {
  light: { grid: '#e2e8f0', axis: '#64748b', tooltipBg: '#ffffff', tooltipBorder: '#cbd5e1', tooltipText: '#0f172a' },
  dark: { grid: '#334155', axis: '#94a3b8', tooltipBg: '#0f172a', tooltipBorder: '#475569', tooltipText: '#e2e8f0' },
};

const formatValue = (unit: string) => (v: unknown) => {
  const n = Number(v);
  const text = n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2);
  return `${text} ${unit}`;
};

export function RateChart({ testId, label, rows, series, stacked, unit, bucketSeconds, height = 220 }: RateChartProps) {
  const visible = series.filter((s) => !s.hidden);
  const { zone, dark } = usePreferences();
  const c = CHART_COLORS[dark ? 'dark' : 'light'];
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke={c.grid} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={['dataMin', 'dataMax']}
        tickFormatter={timeLabel(bucketSeconds, zone)}
        fontSize={11}
        minTickGap={24}
        stroke={c.axis}
        tick={{ fill: c.axis }}
      />
      <YAxis width={56} fontSize={11} tickFormatter={(v: number) => formatValue(unit)(v)} allowDecimals stroke={c.axis} tick={{ fill: c.axis }} />
      <Tooltip
        labelFormatter={(v) =>
          `${formatTimeIn(new Date(Number(v)).toISOString(), zone).slice(0, 16)} ${zone === 'UTC' ? 'UTC' : 'local'} (${bucketSeconds} s buckets)`
        }
        formatter={(v) => formatValue(unit)(v)}
        contentStyle={{ backgroundColor: c.tooltipBg, borderColor: c.tooltipBorder, color: c.tooltipText }}
        labelStyle={{ color: c.tooltipText }}
      />
    </>
  );
  const common = {
    data: rows,
    responsive: true,
    style: { width: '100%', height },
    role: 'img',
    'aria-label': label,
    margin: { top: 8, right: 12, bottom: 0, left: 0 },
  } as const;
  return (
    <figure
      data-testid={testId}
      data-visible-series={visible.map((s) => s.name).join(',')}
      data-points={rows.length}
      data-bucket-seconds={bucketSeconds}
      className="m-0"
    >
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{label}</figcaption>
      {stacked ? (
        <AreaChart {...common}>
          {axes}
          {series.map((s) => (
            <Area
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stackId="all"
              hide={s.hidden}
              stroke={s.color}
              fill={s.color}
              fillOpacity={0.35}
              type="stepAfter"
              isAnimationActive={false}
              dot={false}
            />
          ))}
        </AreaChart>
      ) : (
        <LineChart {...common}>
          {axes}
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              hide={s.hidden}
              stroke={s.color}
              type="stepAfter"
              isAnimationActive={false}
              dot={false}
              strokeWidth={s.emphasis ? 2.5 : 1.5}
              strokeDasharray={s.emphasis ? '6 3' : undefined}
            />
          ))}
        </LineChart>
      )}
    </figure>
  );
}
