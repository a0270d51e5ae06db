'use client';
// The transform of a bulk republish, three ways: the builder for the common fixes (its compiled
// JSON Patch or JSONata shown read-only, so the operator sees exactly what is sent), a free
// JSONata expression, or raw JSON Patch operations. Controlled: the dialog holds the draft, and
// draftTransform says what it compiles to, so any edit can drop a preview made for another one.
import { useId, useState, type ReactNode } from 'react';
import { bulkTransformSchema, type BulkTransform } from '@/lib/schemas/bulk';
import { compileSteps, emptyStep, STEP_KINDS, STEP_LABELS, type BuilderStep, type StepKind, type StepProblem } from '@/lib/transform/builder';
import { buttonClass } from '@/components/republish/modal';
import { Tabs } from '@/components/ui/tabs';

export type TransformTab = 'builder' | 'jsonata' | 'patch';

export interface TransformDraft {
  tab: TransformTab;
  steps: BuilderStep[];
  expression: string;
  patchText: string;
}

export const emptyDraft: TransformDraft = { tab: 'builder', steps: [emptyStep('set')], expression: '', patchText: '' };

export type DraftResult = { ok: true; transform: BulkTransform } | { ok: false; message: string; problems?: StepProblem[] };

/** What the open tab compiles to, or why it does not: the builder's steps, the expression, or the patch text. */
export function draftTransform(draft: TransformDraft): DraftResult {
  if (draft.tab === 'builder') {
    const compiled = compileSteps(draft.steps);
    return compiled.ok ? compiled : { ok: false, message: 'Fix the steps marked above.', problems: compiled.problems };
  }
  let candidate: unknown;
  if (draft.tab === 'jsonata') {
    candidate = { kind: 'jsonata', expression: draft.expression };
  } else {
    try {
      candidate = { kind: 'patch', operations: JSON.parse(draft.patchText) };
    } catch {
      return { ok: false, message: 'The JSON Patch is not valid JSON: expected an array of operations.' };
    }
  }
  // The request schema the server checks with; its messages name the operation and field.
  const parsed = bulkTransformSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, transform: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}` };
}

const inputClass = 'rounded border border-slate-300 px-2 py-1 font-mono text-xs';

/** A label above its control, tied by id rather than by wrapping: a wrapping label would put the control's text into its name. */
function Labelled({ label, className, children }: { label: ReactNode; className: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

function FieldInput({
  label,
  value,
  onChange,
  placeholder,
  problem,
  wide = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  problem?: string;
  wide?: boolean;
}) {
  return (
    <Labelled label={label} className="flex flex-col text-xs text-slate-600">
      {(id) => (
        <input
          id={id}
          className={`${inputClass} ${wide ? 'w-64' : 'w-48'} ${problem ? 'border-rose-400' : ''}`}
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
        />
      )}
    </Labelled>
  );
}

function StepRow({
  step,
  index,
  problems,
  onChange,
  onRemove,
}: {
  step: BuilderStep;
  index: number;
  problems: StepProblem[];
  onChange: (step: BuilderStep) => void;
  onRemove: () => void;
}) {
  // A step just added, not typed into yet, is not marked wrong: its placeholders say what goes where.
  const shown = isBlank(step) ? [] : problems;
  const problemOf = (field: StepProblem['field']) => shown.find((p) => p.field === field)?.message;
  return (
    <li className="rounded border border-slate-200 p-2" data-testid="transform-step">
      <div className="flex flex-wrap items-end gap-2">
        <span className="w-5 pb-1 text-xs text-slate-500">{index + 1}.</span>
        <Labelled label="Step" className="flex flex-col text-xs text-slate-600">
          {(id) => (
            <select
              id={id}
              className="rounded border border-slate-300 px-1 py-1 text-xs"
              value={step.kind}
              onChange={(e) => onChange(emptyStepKeepingPath(step, e.target.value as StepKind))}
            >
              {STEP_KINDS.map((k) => (
                <option key={k} value={k}>
                  {STEP_LABELS[k]}
                </option>
              ))}
            </select>
          )}
        </Labelled>
        {step.kind === 'rename' ? (
          <>
            <FieldInput label="Field" value={step.from} placeholder="data.total" problem={problemOf('from')} onChange={(from) => onChange({ ...step, from })} />
            <FieldInput label="New name" value={step.to} placeholder="totalAmount" problem={problemOf('to')} onChange={(to) => onChange({ ...step, to })} />
          </>
        ) : step.kind === 'set-version' ? (
          <FieldInput label="Version" value={step.value} placeholder="1.1" problem={problemOf('value')} onChange={(value) => onChange({ ...step, value })} />
        ) : (
          <FieldInput
            label="Field"
            value={step.path}
            placeholder="data.totalAmount"
            problem={problemOf('path')}
            onChange={(path) => onChange({ ...step, path })}
          />
        )}
        {step.kind === 'set' ? (
          <FieldInput
            label="Value (JSON)"
            value={step.value}
            placeholder={'"EUR", 12.5, true, null'}
            problem={problemOf('value')}
            onChange={(value) => onChange({ ...step, value })}
            wide
          />
        ) : null}
        <button type="button" className={`${buttonClass.small} mb-0.5`} onClick={onRemove} aria-label={`Remove step ${index + 1}`}>
          Remove
        </button>
      </div>
      {shown.length ? (
        <ul className="mt-1 text-xs text-rose-700">
          {shown.map((p) => (
            <li key={p.field + p.message}>{p.message}</li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function isBlank(step: BuilderStep): boolean {
  const texts = step.kind === 'rename' ? [step.from, step.to] : step.kind === 'set' ? [step.path, step.value] : 'path' in step ? [step.path] : [step.value];
  return texts.every((t) => !t.trim());
}

/** A step switched to another kind keeps the field it named, so switching "set" to "convert" is one click. */
function emptyStepKeepingPath(step: BuilderStep, kind: StepKind): BuilderStep {
  const next = emptyStep(kind);
  const path = 'path' in step ? step.path : step.kind === 'rename' ? step.from : '';
  if ('path' in next) return { ...next, path };
  if (next.kind === 'rename') return { ...next, from: path };
  return next;
}

export function TransformEditor({ draft, onChange, result }: { draft: TransformDraft; onChange: (draft: TransformDraft) => void; result: DraftResult }) {
  const [newKind, setNewKind] = useState<StepKind>('set');
  const setSteps = (steps: BuilderStep[]) => onChange({ ...draft, steps });
  const switchTab = (tab: TransformTab) => {
    // Leaving the builder with working steps starts the other tab from what they compile to.
    const compiled = draft.tab === 'builder' ? compileSteps(draft.steps) : null;
    const next = { ...draft, tab };
    if (compiled?.ok && tab === 'jsonata' && !draft.expression.trim() && compiled.transform.kind === 'jsonata') next.expression = compiled.transform.expression;
    if (compiled?.ok && tab === 'patch' && !draft.patchText.trim() && compiled.transform.kind === 'patch') {
      next.patchText = JSON.stringify(compiled.transform.operations, null, 2);
    }
    onChange(next);
  };
  return (
    <div className="mt-3 rounded border border-slate-200 p-3" data-testid="transform-editor">
      <Tabs
        label="How to edit"
        value={draft.tab}
        onChange={switchTab}
        tabs={[
          { value: 'builder', label: 'Builder' },
          { value: 'jsonata', label: 'JSONata' },
          { value: 'patch', label: 'JSON Patch' },
        ]}
      />
      <div className="mt-2">
        {draft.tab === 'builder' ? (
          <>
            <p className="text-xs text-slate-500">
              Fields are dotted names from the top of the body, e.g. <code>data.totalAmount</code>. Steps run in order; the eventId never changes.
            </p>
            <ol className="mt-2 space-y-2">
              {draft.steps.map((step, i) => (
                <StepRow
                  key={i}
                  step={step}
                  index={i}
                  problems={result.ok ? [] : (result.problems ?? []).filter((p) => p.step === i)}
                  onChange={(s) => setSteps(draft.steps.map((old, j) => (j === i ? s : old)))}
                  onRemove={() => setSteps(draft.steps.filter((_, j) => j !== i))}
                />
              ))}
            </ol>
            <div className="mt-2 flex items-center gap-2">
              <select
                aria-label="New step"
                className="rounded border border-slate-300 px-1 py-1 text-xs"
                value={newKind}
                onChange={(e) => setNewKind(e.target.value as StepKind)}
              >
                {STEP_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {STEP_LABELS[k]}
                  </option>
                ))}
              </select>
              <button type="button" className={buttonClass.small} onClick={() => setSteps([...draft.steps, emptyStep(newKind)])}>
                Add step
              </button>
            </div>
            <div className="mt-2">
              <p className="text-xs font-medium text-slate-600">
                {result.ok ? (result.transform.kind === 'patch' ? 'Sent as this JSON Patch' : 'Sent as this JSONata expression') : 'Compiled transform'}
              </p>
              <pre data-testid="compiled-transform" className="mt-0.5 max-h-40 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 text-xs">
                {result.ok
                  ? result.transform.kind === 'patch'
                    ? JSON.stringify(result.transform.operations, null, 2)
                    : result.transform.expression
                  : '— (fill in every step)'}
              </pre>
            </div>
          </>
        ) : draft.tab === 'jsonata' ? (
          <Labelled
            label={
              <>
                JSONata expression: its result is the new body (<code>$</code> is the stored body)
              </>
            }
            className="text-xs text-slate-600"
          >
            {(id) => (
              <textarea
                id={id}
                className={`${inputClass} mt-0.5 block h-32 w-full`}
                value={draft.expression}
                placeholder={'$ ~> | data | {"totalAmount": $number(totalAmount)} |'}
                onChange={(e) => onChange({ ...draft, expression: e.target.value })}
                spellCheck={false}
              />
            )}
          </Labelled>
        ) : (
          <Labelled label="JSON Patch (RFC 6902): an array of operations" className="text-xs text-slate-600">
            {(id) => (
              <textarea
                id={id}
                className={`${inputClass} mt-0.5 block h-32 w-full`}
                value={draft.patchText}
                placeholder={'[{ "op": "add", "path": "/data/currency", "value": "EUR" }]'}
                onChange={(e) => onChange({ ...draft, patchText: e.target.value })}
                spellCheck={false}
              />
            )}
          </Labelled>
        )}
        {!result.ok && draft.tab !== 'builder' ? <p className="mt-1 text-xs text-rose-700">{result.message}</p> : null}
      </div>
    </div>
  );
}
