'use client';
// The body exactly as received: pretty JSON tree (with violations marked at their paths), raw
// text, or hex for binary; with its size and sha256.
import { useMemo, useState } from 'react';
import type { DeadLetterDetail, Violation } from '@/lib/schemas/dead-letters';
import { Section } from '@/components/ui/section';
import { Tabs } from '@/components/ui/tabs';
import { formatBytes } from '@/components/ui/format';
import { HexDump } from './hex-dump';
import { JsonTree, type TreeMarks } from './json-tree';
import { deepestExisting, parseJsonPath, pathKey } from './json-path';

type View = 'pretty' | 'raw' | 'hex';

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function marksFor(json: unknown, violations: Violation[]): TreeMarks {
  const at = new Map<string, string[]>();
  const within = new Set<string>();
  for (const v of violations) {
    const wanted = parseJsonPath(v.path);
    const found = deepestExisting(json, wanted);
    const missing = wanted.slice(found.length);
    const msg = missing.length ? `${v.path}: ${v.message}` : v.message;
    const k = pathKey(found);
    at.set(k, [...(at.get(k) ?? []), msg]);
    for (let i = 0; i < found.length; i++) within.add(pathKey(found.slice(0, i)));
  }
  return { at, within };
}

export function BodyViewer({ body, violations, contentType }: { body: DeadLetterDetail['body']; violations: Violation[]; contentType: string | null }) {
  const decoded = useMemo(() => {
    const text = body.encoding === 'utf8' ? body.data : null;
    const bytes = body.encoding === 'utf8' ? new TextEncoder().encode(body.data) : decodeBase64(body.data);
    let json: { value: unknown } | null = null;
    if (text !== null && text.trim()) {
      try {
        json = { value: JSON.parse(text) };
      } catch {
        json = null;
      }
    }
    return { text, bytes, json };
  }, [body]);
  const [view, setView] = useState<View>(decoded.json ? 'pretty' : decoded.text !== null ? 'raw' : 'hex');
  const marks = useMemo(() => marksFor(decoded.json?.value, violations), [decoded.json, violations]);

  return (
    <Section
      title="Body"
      testId="body-section"
      aside={
        <div className="flex items-center gap-3">
          <span className="text-xs text-slate-500" data-testid="body-meta">
            {formatBytes(body.sizeBytes)} ({body.sizeBytes.toLocaleString('en-US')} bytes) · {body.encoding === 'utf8' ? 'text' : 'binary'}
            {contentType ? ` · ${contentType}` : ''}
          </span>
          <Tabs<View>
            label="Body view"
            value={view}
            onChange={setView}
            tabs={[
              { value: 'pretty', label: 'Pretty', disabled: !decoded.json },
              { value: 'raw', label: 'Raw', disabled: decoded.text === null },
              { value: 'hex', label: 'Hex' },
            ]}
          />
        </div>
      }
    >
      {body.sha256 ? (
        <p className="mb-2 break-all font-mono text-xs text-slate-500">
          sha256 <span data-testid="body-sha256">{body.sha256}</span>
        </p>
      ) : null}
      {body.omitted ? (
        <p data-testid="body-omitted" className="rounded bg-slate-50 p-3 text-sm text-slate-600">
          {body.omitted}
        </p>
      ) : view === 'pretty' && decoded.json ? (
        <div className="max-h-[40rem] overflow-auto">
          <JsonTree value={decoded.json.value} marks={marks} />
        </div>
      ) : view === 'raw' && decoded.text !== null ? (
        <pre data-testid="raw-body" className="max-h-[40rem] overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 font-mono text-xs">
          {decoded.text || '(empty body)'}
        </pre>
      ) : (
        <HexDump bytes={decoded.bytes} />
      )}
    </Section>
  );
}
