'use client';
// For a dead letter the drain parked or the derivation set aside (status unreadable): why, where
// the parked copy is (a parked one), and the exact bytes as text and hex. Everything is rendered as text, never as HTML.
import { Section } from '@/components/ui/section';
import type { DeadLetterDetail } from '@/lib/schemas/dead-letters';
import { parkedQueueOf } from './describe-history';
import { HexDump } from './hex-dump';

function bytesOf(body: DeadLetterDetail['body']): Uint8Array {
  if (body.encoding === 'utf8') return new TextEncoder().encode(body.data);
  const bin = atob(body.data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function ParkedPanel({ deadLetter: d }: { deadLetter: DeadLetterDetail }) {
  if (!d.unreadableReason) return null;
  const parkedTo = d.history.map((h) => parkedQueueOf(h.details)).find((q) => q !== undefined);
  const bytes = bytesOf(d.body);
  // as text: every byte that is not printable ASCII shown as "."
  let text = '';
  for (let i = 0; i < Math.min(bytes.length, 64 * 1024); i++)
    text += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : bytes[i] === 0x0a ? '\n' : '.';
  return (
    <Section title={typeof parkedTo === 'string' ? 'Parked by the drain' : 'Set aside as unreadable'} testId="parked-panel">
      <p className="text-sm text-slate-700">
        EventDesk could not read or store this message, so it moved it aside and went on with the next one. Its exact bytes are kept here
        {typeof parkedTo === 'string' ? (
          <>
            {' '}
            and a copy is in the queue <code data-testid="parked-queue">{parkedTo}</code>
          </>
        ) : null}
        .
      </p>
      <p className="mt-2 break-all font-mono text-sm text-rose-800" data-testid="park-reason">
        {d.unreadableReason}
      </p>
      <h3 className="mt-3 text-xs font-semibold uppercase text-slate-500">Bytes as text</h3>
      <pre data-testid="parked-text" className="max-h-[20rem] overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 font-mono text-xs">
        {text}
      </pre>
      <h3 className="mt-3 text-xs font-semibold uppercase text-slate-500">Bytes as hex</h3>
      <HexDump bytes={bytes} />
    </Section>
  );
}
