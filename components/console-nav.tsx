'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useHasRole } from '@/components/auth/actor-context';
import { UserMenu } from '@/components/auth/user-menu';
import { PreferenceSwitches } from '@/components/ui/preferences';

const links = [
  { href: '/', label: 'Dead letters' },
  { href: '/groups', label: 'Groups' },
  { href: '/throughput', label: 'Throughput' },
  { href: '/queues', label: 'Queues' },
  { href: '/audit', label: 'Audit' },
  { href: '/api-docs', label: 'API' },
  { href: '/settings', label: 'Settings', role: 'admin' },
] as const;

export function ConsoleNav() {
  const pathname = usePathname();
  // Settings holds only what admins manage (users, API tokens): other roles are not offered it
  const admin = useHasRole('admin');
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2 text-sm" aria-label="Main">
        <Link href="/" className="font-semibold tracking-tight text-slate-900">
          EventDesk
        </Link>
        {links.map((l) => {
          if ('role' in l && !admin) return null;
          const active = l.href === '/' ? pathname === '/' || pathname.startsWith('/dead-letters') : pathname.startsWith(l.href);
          return (
            <Link
              key={l.href}
              href={l.href}
              aria-current={active ? 'page' : undefined}
              className={active ? 'font-medium text-indigo-700' : 'text-slate-600 hover:text-slate-900'}
            >
              {l.label}
            </Link>
          );
        })}
        <div className="ml-auto flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2">
          <PreferenceSwitches />
          <UserMenu />
        </div>
      </nav>
    </header>
  );
}
