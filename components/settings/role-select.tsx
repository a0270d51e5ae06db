'use client';
// A labelled role picker for the settings forms.
import { ROLES } from '@/lib/schemas/users';

export function RoleSelectField({ name = 'role' }: { name?: string }) {
  return (
    <label className="flex flex-col">
      <span className="text-slate-600">Role</span>
      <select name={name} defaultValue="viewer" className="rounded border border-slate-300 px-2 py-1">
        {ROLES.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </select>
    </label>
  );
}
