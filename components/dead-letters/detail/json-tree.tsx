'use client';
// A JSON body as a tree with collapsible objects and arrays. Nodes with contract violations
// are highlighted with their messages; their ancestors show a marker so a collapsed branch
// still tells where a problem is. All values are React text, never HTML.
import { useState } from 'react';
import { pathKey, type Segment } from './json-path';
import { visibleText } from '@/components/ui/visible-text';

const BIG = 200;

export interface TreeMarks {
  /** pathKey -> messages of violations at that node */
  at: Map<string, string[]>;
  /** pathKeys of nodes that contain a marked node */
  within: Set<string>;
}

export function JsonTree({ value, marks }: { value: unknown; marks: TreeMarks }) {
  return (
    <div className="font-mono text-xs leading-5" data-testid="json-tree" role="tree" aria-label="JSON body">
      <Node name={null} value={value} path={[]} depth={0} marks={marks} last />
    </div>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="break-all text-emerald-700">{visibleText(JSON.stringify(value))}</span>;
  if (typeof value === 'number') return <span className="text-sky-700">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="text-violet-700">{String(value)}</span>;
  return <span className="text-slate-500">null</span>;
}

function Node({
  name,
  value,
  path,
  depth,
  marks,
  last,
}: {
  name: Segment | null;
  value: unknown;
  path: Segment[];
  depth: number;
  marks: TreeMarks;
  last: boolean;
}) {
  const key = pathKey(path);
  const messages = marks.at.get(key);
  const containsMark = marks.within.has(key);
  const composite = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < 3 || containsMark);
  const [showAll, setShowAll] = useState(false);
  const label =
    name === null ? null : typeof name === 'number' ? (
      <span className="text-slate-500">{name}: </span>
    ) : (
      <span className="text-rose-900">{visibleText(JSON.stringify(name))}: </span>
    );
  const comma = last ? '' : ',';
  const mark = messages ? 'rounded bg-rose-100 ring-1 ring-rose-400' : '';
  const note = messages ? (
    <span className="ml-2 font-sans text-rose-700" data-testid="violation-mark">
      ⚠ {messages.join('; ')}
    </span>
  ) : null;

  if (!composite) {
    return (
      <div role="treeitem" aria-selected={false} data-path={key} className={`pl-4 ${mark}`}>
        {label}
        <Scalar value={value} />
        {comma}
        {note}
      </div>
    );
  }
  const entries: [Segment, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [openCh, closeCh] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  const shown = showAll ? entries : entries.slice(0, BIG);
  return (
    <div role="treeitem" aria-expanded={open} aria-selected={false} data-path={key} className={`pl-4 ${mark}`}>
      <button type="button" onClick={() => setOpen(!open)} className="-ml-4 w-4 text-slate-500 hover:text-slate-900" aria-label={open ? 'Collapse' : 'Expand'}>
        {open ? '▾' : '▸'}
      </button>
      {label}
      {openCh}
      {!open ? (
        <>
          <button type="button" onClick={() => setOpen(true)} className="text-slate-500 hover:underline">
            {entries.length} {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}
          </button>
          {closeCh}
          {comma}
          {containsMark && !messages ? <span className="ml-2 font-sans text-rose-700">⚠ violation inside</span> : null}
        </>
      ) : null}
      {note}
      {open ? (
        <>
          <div role="group">
            {shown.map(([k, v], i) => (
              <Node key={String(k)} name={k} value={v} path={[...path, k]} depth={depth + 1} marks={marks} last={i === entries.length - 1} />
            ))}
          </div>
          {entries.length > shown.length ? (
            <button type="button" className="pl-4 text-indigo-700 hover:underline" onClick={() => setShowAll(true)}>
              show {entries.length - shown.length} more…
            </button>
          ) : null}
          <div>
            {closeCh}
            {comma}
          </div>
        </>
      ) : null}
    </div>
  );
}
