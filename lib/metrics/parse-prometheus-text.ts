// A strict-enough parser of the Prometheus text exposition format (0.0.4): every line is a
// comment (# HELP / # TYPE), blank, or `name{labels} value [timestamp]`; it throws on anything
// else. Reads the platform services' /metrics (p95 processing time) and checks our own in tests.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function parseLabels(text: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`line ${line}: bad labels {${text}}`);
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return out;
}

/**
 * A sample's value. NaN and the infinities in any case, as Prometheus reads them (Go's ParseFloat):
 * prom-client writes NaN as "Nan" (its event-loop lag mean before any sample), and a platform
 * service's /metrics with one such line failed the whole read of its p95.
 */
function parseValue(v: string, line: number): number {
  const lower = v.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`line ${line}: bad value ${v}`);
  return n;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (line.startsWith('#')) {
      const m = new RegExp(`^#\\s+(HELP|TYPE)\\s+(${NAME})\\s*(.*)$`).exec(line);
      if (!m) return; // other comments are allowed
      if (m[1] === 'HELP') family(m[2]).help = m[3];
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`line ${i + 1}: bad type ${m[3]}`);
        family(m[2]).type = m[3];
      }
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const base = [...families.keys()].find((n) => m[1] === n || (m[1].startsWith(n) && /^_(bucket|sum|count|total|created)$/.test(m[1].slice(n.length))));
    family(base ?? m[1]).samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], i + 1) : {}, value: parseValue(m[3], i + 1) });
  });
  return families;
}
