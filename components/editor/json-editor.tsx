'use client';
// A CodeMirror 6 JSON editor, created in an effect (never on the server) and destroyed with the
// component. Lints as you type: JSON syntax first, then the event's contract, each violation
// underlined at its JSON path. The parent owns the text (onChange) and gets the violations.
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { usePreferences } from '@/components/ui/preferences';
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

// Dark mode: CodeMirror's light default colours (gutter, cursor, selection, the JSON tokens)
// replaced, in a compartment switched with the console's theme.
const darkTheme = [
  EditorView.theme(
    {
      '&': { backgroundColor: '#0f172a', color: '#e2e8f0' },
      '.cm-content': { caretColor: '#e2e8f0' },
      '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#e2e8f0' },
      '.cm-gutters': { backgroundColor: '#1e293b', color: '#94a3b8', borderRight: '1px solid #334155' },
      '.cm-activeLine': { backgroundColor: '#1e293b80' },
      '.cm-activeLineGutter': { backgroundColor: '#334155' },
      '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: '#3730a3' },
      '.cm-matchingBracket': { backgroundColor: '#334155', outline: '1px solid #64748b' },
      '.cm-tooltip': { backgroundColor: '#1e293b', color: '#e2e8f0', border: '1px solid #475569' },
      '.cm-panels': { backgroundColor: '#1e293b', color: '#e2e8f0' },
    },
    { dark: true },
  ),
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: tags.propertyName, color: '#93c5fd' },
      { tag: tags.string, color: '#86efac' },
      { tag: tags.number, color: '#fdba74' },
      { tag: [tags.bool, tags.null], color: '#c4b5fd' },
      { tag: [tags.punctuation, tags.separator, tags.bracket], color: '#cbd5e1' },
    ]),
  ),
];

export function JsonEditor({ initial, onChange, label }: { initial: string; onChange: (text: string) => void; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const themeSlot = useRef(new Compartment());
  const { dark } = usePreferences();
  const darkRef = useRef(dark);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange; // the latest handler, for the editor's update listener
  });

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          json(),
          lintGutter(),
          themeSlot.current.of(darkRef.current ? darkTheme : []),
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
    view.current = editor;
    return () => {
      view.current = null;
      editor.destroy();
    };
    // the editor owns its text after creation; `initial` only seeds it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    darkRef.current = dark;
    view.current?.dispatch({ effects: themeSlot.current.reconfigure(dark ? darkTheme : []) });
  }, [dark]);

  return <div ref={host} className="rounded border border-slate-300 bg-white" data-testid="json-editor" />;
}
