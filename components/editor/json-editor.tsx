'use client';
// A CodeMirror 6 JSON editor, created in an effect (never on the server) and destroyed with the
// component. Lints as you type: JSON syntax first, then the event's contract, each violation
// underlined at its JSON path. The parent owns the text (onChange) and gets the violations.
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { validateEvent } from '@/lib/events/validate';
import { jsonPositions, rangeForPath } from './json-positions';

export interface EditorViolation {
  path: string;
  message: string;
}

/** Syntax error or contract violations of a text, as the editor and the dialog show them. */
export function lintEventText(text: string): { syntaxError: string | null; violations: EditorViolation[]; status: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { syntaxError: (err as Error).message, violations: [], status: 'unparseable' };
  }
  const result = validateEvent(value);
  return { syntaxError: null, violations: result.violations, status: result.status };
}

const parseLinter = jsonParseLinter();

function contractDiagnostics(view: EditorView): Diagnostic[] {
  const syntax = parseLinter(view);
  if (syntax.length) return syntax;
  const text = view.state.doc.toString();
  const { violations } = lintEventText(text);
  if (!violations.length) return [];
  const positions = jsonPositions(text);
  return violations.map((v) => {
    const span = rangeForPath(positions, v.path);
    return { from: span.from, to: Math.max(span.to, span.from), severity: 'error', message: `${v.path}: ${v.message}`, source: 'contract' };
  });
}

export function JsonEditor({ initial, onChange, label }: { initial: string; onChange: (text: string) => void; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange; // the latest handler, for the editor's update listener
  });

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          json(),
          lintGutter(),
          linter(contractDiagnostics, { delay: 250 }),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
          EditorView.theme({ '&': { fontSize: '12px', maxHeight: '50vh' }, '.cm-scroller': { overflow: 'auto' } }),
        ],
      }),
    });
    return () => view.destroy();
    // the editor owns its text after creation; `initial` only seeds it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return <div ref={host} className="rounded border border-slate-300 bg-white" data-testid="json-editor" />;
}
