'use client';
// Users: create/invite with a role, change role, disable (ends sessions) / enable, reset password.
import { useState, type FormEvent } from 'react';
import { useCreateUser } from '@/components/hooks/use-create-user';
import { useUpdateUser } from '@/components/hooks/use-update-user';
import { useUsers } from '@/components/hooks/use-users';
import { ROLES, type Role, type User } from '@/lib/schemas/users';
import { TimeAgo } from '@/components/ui/preferences';
import { RoleSelectField } from './role-select';
import { ShownOnce } from './shown-once';
import { formText } from '@/components/ui/form-text';

export function UsersPanel({ currentUser }: { currentUser: string }) {
  const users = useUsers();
  const create = useCreateUser();
  const update = useUpdateUser();
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setError(null);
    try {
      const result = await create.mutateAsync({
        email: formText(form, 'email'),
        name: formText(form, 'name') || undefined,
        role: formText(form, 'role') as Role,
        password: formText(form, 'password') || undefined,
      });
      if (result.password) setSecret({ email: result.user.email, password: result.password });
      formEl.reset();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function change(user: User, input: { role?: Role; status?: 'active' | 'disabled'; resetPassword?: boolean }) {
    setError(null);
    try {
      const result = await update.mutateAsync({ id: user.id, ...input });
      if (result.password) setSecret({ email: result.user.email, password: result.password });
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section aria-labelledby="users-heading" className="space-y-3">
      <h2 id="users-heading" className="font-medium">
        Users
      </h2>
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-2 text-sm" aria-label="Add user">
        <label className="flex flex-col">
          <span className="text-slate-600">Email</span>
          <input name="email" type="email" required className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          <span className="text-slate-600">Name</span>
          <input name="name" className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <RoleSelectField />
        <label className="flex flex-col">
          <span className="text-slate-600">Password (empty: generate)</span>
          <input name="password" type="password" autoComplete="new-password" minLength={8} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" disabled={create.isPending} className="rounded bg-indigo-600 px-3 py-1 font-medium text-white disabled:opacity-50">
          Add user
        </button>
      </form>
      {secret && <ShownOnce label={`Password for ${secret.email}.`} value={secret.password} testId="generated-password" onDone={() => setSecret(null)} />}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {users.isError && <p className="text-sm text-red-700">Could not load users: {users.error.message}</p>}
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="users-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 font-normal">Email</th>
              <th className="font-normal">Role</th>
              <th className="font-normal">Status</th>
              <th className="font-normal">Last sign-in</th>
              <th className="font-normal">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.id} className="border-t border-slate-100" data-testid="user-row" data-email={u.email}>
                <td className="py-1">
                  {u.email}
                  {u.name && <span className="text-slate-500"> · {u.name}</span>}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={update.isPending || u.email === currentUser}
                    onChange={(e) => void change(u, { role: e.target.value as Role })}
                    className="rounded border border-slate-300 px-1 py-0.5"
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td className={u.status === 'disabled' ? 'text-red-700' : ''}>{u.status}</td>
                <td>
                  <TimeAgo iso={u.lastSignInAt} stacked />
                </td>
                <td className="space-x-2">
                  {u.email !== currentUser && (
                    <button
                      type="button"
                      className="text-indigo-700 hover:underline"
                      disabled={update.isPending}
                      onClick={() => void change(u, { status: u.status === 'active' ? 'disabled' : 'active' })}
                    >
                      {u.status === 'active' ? 'Disable' : 'Enable'}
                    </button>
                  )}
                  <button
                    type="button"
                    className="text-indigo-700 hover:underline"
                    disabled={update.isPending}
                    onClick={() => {
                      if (window.confirm(`Reset the password of ${u.email}? Their sessions end.`)) void change(u, { resetPassword: true });
                    }}
                  >
                    Reset password
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
