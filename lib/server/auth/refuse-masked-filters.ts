// A viewer may not filter by a value viewers are shown masked: its exact match would confirm a
// guess (?correlationId=<guessed address> returned the record; ?queue=<guessed address> the
// group). Used by the dead-letter filters and the groups list.
import 'server-only';
import { invalid } from '@/lib/action-error';
import { maskText } from '@/lib/mask/mask-scan';
import type { ViewerMasking } from '@/lib/mask/viewer-search';

/**
 * Refuses (400 naming the filter) each given filter whose name is in MASK_FIELDS or whose value
 * masking changes (an email address). Refused for what the value is, never for what is stored,
 * so the refusal tells nothing either.
 */
export function refuseMaskedFilters(filters: Record<string, string | undefined>, { options }: ViewerMasking): void {
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (options.names.has(key.toLowerCase()) || maskText(value, options) !== value)
      throw invalid(`Viewers cannot filter by ${key}: its values are masked for them`, [{ field: key, message: 'masked for viewers' }]);
  }
}
