// The add-group-note action (operator, issue 16): a note on a failure group (Markdown, shown as
// text), with a history entry and an audit line (its length, not its text) in one transaction.
import 'server-only';
import { notFound } from '@/lib/action-error';
import { prismaAuditClient, recordAudit } from '@/lib/audit/record-audit';
import type { AddGroupNoteInput, GroupNote } from '@/lib/schemas/groups';
import { prisma } from '@/lib/server/db';
import { GROUP_ID } from '@/lib/server/groups/get-group';
import type { Actor } from './actor';
import { groupTarget } from './change-group';

export async function addGroupNote(actor: Actor & { userId?: string }, input: AddGroupNoteInput & { id: string }): Promise<GroupNote> {
  const { id } = input;
  if (!GROUP_ID.test(id)) throw notFound('Group');
  return prisma.$transaction(async (tx) => {
    // a key-share lock: the group cannot go away (retention) under the note
    const found = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM failure_groups WHERE id = $1 FOR KEY SHARE`, id);
    if (found.length === 0) throw notFound('Group');
    const [note] = await tx.$queryRawUnsafe<{ id: string; at: Date; author: string; text: string }[]>(
      `INSERT INTO failure_group_notes (group_id, author_id, author, text) VALUES ($1, $2::uuid, $3, $4)
       RETURNING id::text, at, author, text`,
      id,
      actor.userId ?? null,
      actor.name,
      input.text,
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO failure_group_history (group_id, actor, action, details) VALUES ($1, $2, 'note-added', $3::jsonb)`,
      id,
      actor.name,
      JSON.stringify({ noteId: note.id }),
    );
    await recordAudit(prismaAuditClient(tx), {
      actor: actor.name,
      action: 'group-note',
      target: groupTarget(id),
      details: { noteId: note.id, characters: input.text.length },
    });
    return { id: note.id, at: note.at.toISOString(), author: note.author, text: note.text };
  });
}
