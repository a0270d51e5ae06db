// /settings: admins manage users, API tokens and notification channels; other roles see who they are and why not.
import { UsersPanel } from '@/components/settings/users-panel';
import { TokensPanel } from '@/components/settings/tokens-panel';
import { NotificationsPanel } from '@/components/settings/notifications-panel';
import { hasRole } from '@/lib/server/auth/authorize';
import { requirePageRole } from '@/lib/server/auth/page-auth';

export const metadata = { title: 'Settings · EventDesk' };

export default async function SettingsPage() {
  const actor = await requirePageRole('viewer', '/settings');
  if (!hasRole(actor, 'admin')) {
    return (
      <div className="space-y-2">
        <h1 className="text-lg font-semibold">Settings</h1>
        <p className="text-sm text-slate-600" data-testid="settings-admin-only">
          Signed in as {actor.name} ({actor.role}). Only admins manage users, API tokens and notifications.
        </p>
      </div>
    );
  }
  return (
    <div className="space-y-8">
      <h1 className="text-lg font-semibold">Settings</h1>
      <UsersPanel currentUser={actor.name} />
      <TokensPanel />
      <NotificationsPanel />
    </div>
  );
}
