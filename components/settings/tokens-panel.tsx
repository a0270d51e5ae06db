'use client';
// API tokens: create (shown once), list with last use, revoke.
import { useState, type FormEvent } from 'react';
import { useCreateToken } from '@/components/hooks/use-create-token';
import { useRevokeToken } from '@/components/hooks/use-revoke-token';
import { useTokens } from '@/components/hooks/use-tokens';
import type { Role } from '@/lib/schemas/users';
import { TimeAgo, useTimeFormat } from '@/components/ui/preferences';
import { RoleSelectField } from './role-select';
import { ShownOnce } from './shown-once';
import { formText } from '@/components/ui/form-text';

export function TokensPanel() {
  const tokens = useTokens();
  const { formatTime } = useTimeFormat();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setError(null);
    try {
      const result = await create.mutateAsync({ name: formText(form, 'name'), role: formText(form, 'role') as Role });
      setCreated({ name: result.item.name, token: result.token });
      formEl.reset();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section aria-labelledby="tokens-heading" className="space-y-3">
      <h2 id="tokens-heading" className="font-medium">
        API tokens
      </h2>
      <p className="text-sm text-slate-600">
        For scripts: <code>Authorization: Bearer &lt;token&gt;</code>. Also from a shell:{' '}
        <code>npm run --silent token -- create --role viewer --name NAME</code>.
      </p>
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-2 text-sm" aria-label="Create token">
        <label className="flex flex-col">
          <span className="text-slate-600">Name</span>
          <input name="name" required maxLength={100} pattern="[^@]+" className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <RoleSelectField />
        <button type="submit" disabled={create.isPending} className="rounded bg-indigo-600 px-3 py-1 font-medium text-white disabled:opacity-50">
          Create token
        </button>
      </form>
      {created && <ShownOnce label={`Token "${created.name}".`} value={created.token} testId="new-token" onDone={() => setCreated(null)} />}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {tokens.isError && <p className="text-sm text-red-700">Could not load tokens: {tokens.error.message}</p>}
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="tokens-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 font-normal">Name</th>
              <th className="font-normal">Role</th>
              <th className="font-normal">Token</th>
              <th className="font-normal">Created</th>
              <th className="font-normal">Last used</th>
              <th className="font-normal">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.items.map((t) => (
              <tr key={t.id} className="border-t border-slate-100" data-testid="token-row" data-name={t.name}>
                <td className="py-1">{t.name}</td>
                <td>{t.role}</td>
                <td className="font-mono text-xs">{t.prefix}…</td>
                <td>
                  {formatTime(t.createdAt)} <span className="text-slate-500">by {t.createdBy}</span>
                </td>
                <td data-testid="token-last-used">
                  <TimeAgo iso={t.lastUsedAt} stacked />
                </td>
                <td>
                  {t.revokedAt ? (
                    <span className="text-slate-500">revoked {formatTime(t.revokedAt)}</span>
                  ) : (
                    <button
                      type="button"
                      className="text-red-700 hover:underline"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working.`)) revoke.mutate(t.id);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {tokens.data && tokens.data.items.length === 0 ? (
              <tr className="border-t border-slate-100" data-testid="tokens-empty">
                <td colSpan={6} className="py-2 text-slate-500">
                  No API tokens yet. Create one above for a script; it is shown once.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
