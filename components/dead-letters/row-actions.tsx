'use client';
// SLOT for the republish work: per-row actions (Retry, Edit & retry, Discard) in the list's last
// column. Renders nothing until that work fills it in; the list already mounts it on every row.
import type { DeadLetter } from '@/lib/schemas/dead-letters';
import { RowRetry } from '@/components/republish/row-retry';

export function DeadLetterRowActions(props: { deadLetter: DeadLetter }) {
  return <RowRetry deadLetter={props.deadLetter} />;
}
