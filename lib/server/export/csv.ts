// CSV per RFC 4180 (CRLF line ends; a field holding a comma, a quote, CR or LF is quoted, its
// quotes doubled), with spreadsheet formula injection neutralised: a text field starting with
// = + - @ TAB or CR is prefixed with a single quote, so Excel / LibreOffice / Sheets read it as text.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: null and undefined are empty, numbers and booleans as written, text guarded and quoted as needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
