'use client';
// Every AMQP property or header, decoded from the stored tagged encoding and shown as text: a
// known one under a label that says what it is, with its value in words (describe-amqp.ts); each
// with its stored JSON behind a "raw" toggle.
import { Section } from '@/components/ui/section';
import { RawToggle } from '@/components/ui/raw-json';
import { displayValue, tableEntries } from './amqp-display';
import { describeHeader, describeProperty } from './describe-amqp';
import { visibleText } from '@/components/ui/visible-text';

export function KeyValueTable({
  title,
  table,
  testId,
  kind,
}: {
  title: string;
  table: Record<string, unknown>;
  testId: string;
  /** which names it knows: AMQP properties or message headers */
  kind?: 'properties' | 'headers';
}) {
  const entries = tableEntries(table);
  const describe = kind === 'properties' ? describeProperty : kind === 'headers' ? describeHeader : () => null;
  return (
    <Section title={`${title} (${entries.length})`} testId={testId}>
      {entries.length === 0 ? (
        <p className="text-sm text-slate-500">None.</p>
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-xs">
            <tbody>
              {entries.map(([k, v]) => {
                const known = describe(k, v);
                const d = known ? null : displayValue(v);
                return (
                  <tr key={k} className="border-t border-slate-100 align-top first:border-0" data-testid="amqp-entry" data-key={k}>
                    <th scope="row" className="w-1/3 break-all py-1 pr-2 text-left font-medium text-slate-700">
                      {known ? (
                        <>
                          {known.label}
                          <span className="block font-mono text-[10px] font-normal text-slate-500">{k}</span>
                        </>
                      ) : (
                        <span className="font-mono">{visibleText(k)}</span>
                      )}
                    </th>
                    <td className="py-1">
                      <pre className="inline whitespace-pre-wrap break-all font-mono" data-testid="amqp-value">
                        {visibleText(known ? known.text : d!.text)}
                      </pre>
                      <RawToggle value={v} />
                      {known?.note ? <span className="block text-[10px] text-slate-500">{known.note}</span> : null}
                      {d?.type ? <span className="block text-[10px] uppercase tracking-wide text-slate-500">{d.type}</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
