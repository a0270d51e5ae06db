'use client';
// Every AMQP property or header, decoded from the stored tagged encoding and shown as text.
import { Section } from '@/components/ui/section';
import { displayValue, tableEntries } from './amqp-display';

export function KeyValueTable({ title, table, testId }: { title: string; table: Record<string, unknown>; testId: string }) {
  const entries = tableEntries(table);
  return (
    <Section title={`${title} (${entries.length})`} testId={testId}>
      {entries.length === 0 ? (
        <p className="text-sm text-slate-500">None.</p>
      ) : (
        <table className="w-full text-xs">
          <tbody>
            {entries.map(([k, v]) => {
              const d = displayValue(v);
              return (
                <tr key={k} className="border-t border-slate-100 align-top first:border-0">
                  <th scope="row" className="w-1/3 break-all py-1 pr-2 text-left font-mono font-medium text-slate-700">
                    {k}
                  </th>
                  <td className="py-1">
                    <pre className="whitespace-pre-wrap break-all font-mono">{d.text}</pre>
                    {d.type ? <span className="text-[10px] uppercase tracking-wide text-slate-400">{d.type}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}
