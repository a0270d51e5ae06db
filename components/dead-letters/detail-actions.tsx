'use client';
// SLOT for the republish work: Retry / Edit & retry / Discard / Restore in the detail header.
// Renders nothing until that work fills it in; the detail page already mounts it.
import type { DeadLetterDetail } from '@/lib/schemas/dead-letters';
import { RepublishActions } from '@/components/republish/dead-letter-actions';

export function DeadLetterActions(props: { deadLetter: DeadLetterDetail }) {
  return <RepublishActions deadLetter={props.deadLetter} />;
}
