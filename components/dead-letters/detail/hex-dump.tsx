'use client';
// Classic hex dump (offset, 16 bytes, ASCII) of a binary body; long bodies show the first 64 KB
// until asked for all of it.
import { useMemo, useState } from 'react';

const FIRST = 64 * 1024;

export function HexDump({ bytes }: { bytes: Uint8Array }) {
  const [all, setAll] = useState(false);
  const text = useMemo(() => {
    const n = all ? bytes.length : Math.min(bytes.length, FIRST);
    const lines: string[] = [];
    for (let off = 0; off < n; off += 16) {
      const row = bytes.subarray(off, Math.min(off + 16, n));
      const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'))
        .join(' ')
        .padEnd(47, ' ');
      const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${off.toString(16).padStart(8, '0')}  ${hex}  |${ascii}|`);
    }
    return lines.join('\n');
  }, [bytes, all]);
  return (
    <div>
      <pre data-testid="hex-dump" className="max-h-[32rem] overflow-auto rounded bg-slate-900 p-3 font-mono text-xs leading-5 text-slate-100">
        {text || '(empty body)'}
      </pre>
      {!all && bytes.length > FIRST ? (
        <button type="button" className="mt-1 text-xs text-indigo-700 hover:underline" onClick={() => setAll(true)}>
          Showing the first 64 KB of {bytes.length.toLocaleString('en-US')} bytes: show all
        </button>
      ) : null}
    </div>
  );
}
