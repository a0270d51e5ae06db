// /audit: the append-only log of every republish, edit, discard, restore and bulk action.
import { AuditView } from '@/components/audit/audit-view';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Audit log · EventDesk' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
  const actor = one(sp.actor);
  const action = one(sp.action);
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Audit log</h1>
      <AuditView key={`${actor ?? ''}|${action ?? ''}`} actor={actor} action={action} />
    </div>
  );
}
