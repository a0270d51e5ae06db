// lib/metrics/parse-prometheus-text.ts: what EventDesk reads of the platform services' /metrics.
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '@/lib/metrics/parse-prometheus-text';

describe('parsePrometheusText', () => {
  it("reads NaN and the infinities in any case, as Prometheus does (prom-client writes NaN as 'Nan')", () => {
    const text = ['# TYPE lag gauge', 'lag Nan', '# TYPE a gauge', 'a{k="1"} NaN', 'a{k="2"} +Inf', 'a{k="3"} -inf', 'a{k="4"} 2.5'].join('\n');
    const families = parsePrometheusText(text);
    expect(families.get('lag')!.samples[0].value).toBeNaN();
    expect(families.get('a')!.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 2.5]);
  });

  it('still refuses a value that is no number', () => {
    expect(() => parsePrometheusText('# TYPE a gauge\na 12abc')).toThrow(/bad value 12abc/);
  });
});
