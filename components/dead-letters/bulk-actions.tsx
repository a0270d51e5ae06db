'use client';
// SLOT for the republish work: bulk buttons above the list. It receives the ids of the checked
// rows and the current filter (for "everything matching"). Renders nothing until filled in.
import type { DeadLetterListParams } from '@/lib/schemas/dead-letters';
import { BulkBar } from '@/components/bulk/bulk-bar';

export interface DeadLetterBulkActionsProps {
  selectedIds: string[];
  filter: Omit<DeadLetterListParams, 'cursor' | 'limit'>;
  /** call after an action so the checkboxes clear */
  clearSelection: () => void;
}

export function DeadLetterBulkActions(props: DeadLetterBulkActionsProps) {
  return <BulkBar {...props} />;
}
