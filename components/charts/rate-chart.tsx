'use client';
// A time-series chart of one measure per series (events/s, %), stacked areas or plain lines.
// The wrapper carries the test id and what is shown (data-*), because recharts' legend icons
// are svg.recharts-surface too: tests select the chart by test id and role="img".
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartSeries {
  key: string;
  name: string;
  color: string;
  hidden?: boolean;
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

function timeLabel(bucketSeconds: number) {
  return (ms: number) => {
    const iso = new Date(ms).toISOString();
    return bucketSeconds >= 3600 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
  };
}

const formatValue = (unit: string) => (v: unknown) => {
  const n = Number(v);
  const text = n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2);
  return `${text} ${unit}`;
};

export function RateChart({ testId, label, rows, series, stacked, unit, bucketSeconds, height = 220 }: RateChartProps) {
  const visible = series.filter((s) => !s.hidden);
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
      <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={timeLabel(bucketSeconds)} fontSize={11} minTickGap={24} />
      <YAxis width={56} fontSize={11} tickFormatter={(v: number) => formatValue(unit)(v)} allowDecimals />
      <Tooltip
        labelFormatter={(v) => `${new Date(Number(v)).toISOString().replace('T', ' ').slice(0, 16)} UTC (${bucketSeconds} s buckets)`}
        formatter={(v) => formatValue(unit)(v)}
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
              strokeWidth={1.5}
            />
          ))}
        </LineChart>
      )}
    </figure>
  );
}
