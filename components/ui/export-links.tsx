// "Export CSV" / "Export NDJSON": links to a streamed export route with the view's current
// filters; the server answers with an attachment, so the browser downloads it (the session
// cookie authenticates the GET, as for every API call of the console).
import { toSearchParams } from '@/lib/schemas/dead-letters';
import { buttonClass } from '@/components/republish/modal';

export function ExportLinks({ path, filters, label }: { path: string; filters: Record<string, string | number | undefined | null>; label: string }) {
  const href = (format: 'csv' | 'ndjson') => `${path}?${toSearchParams({ ...filters, format }).toString()}`;
  return (
    <div className="flex gap-2" role="group" aria-label={`Export ${label}`}>
      <a href={href('csv')} download className={buttonClass.secondary} data-testid="export-csv">
        Export CSV
      </a>
      <a href={href('ndjson')} download className={buttonClass.secondary} data-testid="export-ndjson">
        Export NDJSON
      </a>
    </div>
  );
}
