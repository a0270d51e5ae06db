'use client';
// Edit & retry: the body in a JSON editor that knows the event's contract (violations underlined
// at their paths as you type, and listed below), then a review step with the diff against the
// original, a required reason, the target, and for admins a force switch. The server checks the
// contract again and refuses (422) what breaks it unless an admin forces it. A body that is not
// JSON and a changed eventId are refused before Review, for admins too (./edit-refusal.ts).
import dynamic from 'next/dynamic';
import { useMemo, useState } from 'react';
import { editedBodyDiff } from '@/lib/diff/republish-diff';
import type { RepublishTargetInput } from '@/lib/schemas/republish';
import { lintEventText } from '@/components/editor/json-editor';
import { useRefreshAfterAction, useRepublish } from '@/components/hooks/use-republish';
import { BodyDiff } from './body-diff';
import { buttonClass, DialogActions, DoneNote, ErrorNote, Modal, ReasonField } from './modal';
import { TargetPicker } from './target-picker';
import { sentToQueue, watchRetry } from './retry-watch';
import { editRefusal } from './edit-refusal';
import { displayType } from '@/components/dead-letters/display-type';

// CodeMirror touches the DOM: load it in the browser only, and only when the dialog opens.
const JsonEditor = dynamic(() => import('@/components/editor/json-editor').then((m) => m.JsonEditor), {
  ssr: false,
  loading: () => <p className="text-sm text-slate-500">Loading the editor…</p>,
});

function startingText(original: string): string {
  try {
    return JSON.stringify(JSON.parse(original), null, 2);
  } catch {
    return original;
  }
}

export interface EditableDeadLetter {
  id: string;
  queue: string;
  eventType: string | null;
  /** the type shown when the body cannot be parsed */
  routingKey: string | null;
  /** the record's eventId (from the stored body): an edit must keep it */
  eventId: string | null;
  version: string | null;
  /** the record's attempts now, for the outcome watch */
  attempts: number;
  /** the stored body as UTF-8 text */
  bodyText: string;
}

export function EditRetryDialog({ deadLetter, canForce, onClose: close }: { deadLetter: EditableDeadLetter; canForce: boolean; onClose: () => void }) {
  const initial = useMemo(() => startingText(deadLetter.bodyText), [deadLetter.bodyText]);
  const [text, setText] = useState(initial);
  const [step, setStep] = useState<'edit' | 'review'>('edit');
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [target, setTarget] = useState<RepublishTargetInput>(deadLetter.queue ? { kind: 'origin' } : { kind: 'exchange', routingKey: '' });
  const republish = useRepublish(deadLetter.id);
  const refresh = useRefreshAfterAction();
  const onClose = () => {
    if (!republish.isIdle) refresh();
    close();
  };
  const lint = useMemo(() => lintEventText(text), [text]);
  const broken = lint.syntaxError !== null || lint.violations.length > 0;
  const refusal = editRefusal(lint, text, deadLetter.eventId);
  const unchanged = text === initial;
  const diff = useMemo(() => (step === 'review' ? editedBodyDiff(deadLetter.bodyText, text) : ''), [step, deadLetter.bodyText, text]);
  const serverViolations = (republish.error as { details?: { violations?: { path: string; message: string }[] } } | null)?.details?.violations;

  return (
    <Modal title="Edit & retry" onClose={onClose} wide>
      {republish.isSuccess ? (
        <DoneNote onClose={onClose}>
          The edited message was republished (retry {republish.data.republishCount}). Whether it comes back is shown at the bottom right.
        </DoneNote>
      ) : step === 'edit' ? (
        <div>
          <p className="mb-2 text-sm text-slate-600">
            Contract: <code>{displayType(deadLetter).label}</code> version <code>{deadLetter.version ?? '?'}</code>. Violations are underlined as you type.
          </p>
          <JsonEditor initial={text} onChange={setText} label="Message body (JSON)" />
          <div className="mt-2 min-h-6 text-sm" data-testid="contract-violations" aria-live="polite">
            {lint.syntaxError ? (
              <p className="text-rose-700">Not valid JSON: {lint.syntaxError}</p>
            ) : lint.violations.length ? (
              <ul className="space-y-0.5 text-rose-700">
                {lint.violations.map((v) => (
                  <li key={v.path + v.message}>
                    <code>{v.path}</code>: {v.message}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-emerald-700">Matches the contract.</p>
            )}
          </div>
          {refusal ? (
            <p role="alert" data-testid="edit-refusal" className="mt-1 rounded border border-rose-200 bg-rose-50 px-2 py-1 text-sm text-rose-800">
              {refusal}
            </p>
          ) : null}
          <DialogActions onCancel={onClose}>
            <button
              type="button"
              className={buttonClass.primary}
              disabled={unchanged || refusal !== null || (broken && !canForce)}
              onClick={() => setStep('review')}
            >
              Review changes
            </button>
          </DialogActions>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (refusal) return; // Review is refused then; Back to the editor and an edit can bring it back
            republish.mutate(
              { body: text, reason: reason.trim(), target, force: force || undefined },
              {
                onSuccess: (r) =>
                  watchRetry({
                    id: deadLetter.id,
                    label: displayType(deadLetter).label,
                    attemptsBefore: deadLetter.attempts,
                    republishCount: r.republishCount,
                    queue: sentToQueue(r.target),
                  }),
              },
            );
          }}
        >
          <p className="mb-1 text-sm font-medium text-slate-700">Changes against the original</p>
          <BodyDiff diff={diff} />
          {broken ? (
            <p role="alert" className="mt-2 rounded border border-amber-200 bg-amber-50 px-2 py-1 text-sm text-amber-900">
              This body breaks the contract ({lint.syntaxError ?? `${lint.violations.length} violation(s)`}). Only an admin can force it.
            </p>
          ) : null}
          <TargetPicker queue={deadLetter.queue} value={target} onChange={setTarget} />
          <ReasonField value={reason} onChange={setReason} />
          {canForce ? (
            <label className="mt-2 flex items-center gap-2 text-sm">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (admin): send even if it breaks the contract or is
              over the retry limit
            </label>
          ) : null}
          <ErrorNote error={republish.error} />
          {serverViolations?.length ? (
            <ul className="mt-1 text-sm text-rose-700">
              {serverViolations.map((v) => (
                <li key={v.path + v.message}>
                  <code>{v.path}</code>: {v.message}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="mt-4 flex justify-between gap-2">
            <button type="button" className={buttonClass.secondary} onClick={() => setStep('edit')}>
              Back to the editor
            </button>
            <button
              type="submit"
              className={buttonClass.primary}
              disabled={!reason.trim() || republish.isPending || (broken && !force) || (target.kind === 'exchange' && !target.routingKey)}
            >
              {republish.isPending ? 'Sending…' : 'Send edited message'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
