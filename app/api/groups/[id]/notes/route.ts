// POST /api/groups/:id/notes (operator): add a note (Markdown, shown as text) to a failure group.
import { withApi, json } from '@/lib/api/handler';
import { parseJsonBody } from '@/lib/api/parse';
import { addGroupNote } from '@/lib/actions/add-group-note';
import { authorize } from '@/lib/server/auth/authorize';
import { addGroupNoteSchema } from '@/lib/schemas/groups';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const POST = withApi<Context>(async (request, { params }) => {
  const actor = await authorize(request, 'operator');
  const input = await parseJsonBody(request, addGroupNoteSchema);
  return json(await addGroupNote(actor, { ...input, id: (await params).id }), { status: 201 });
});
