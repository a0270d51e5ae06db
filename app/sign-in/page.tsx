// /sign-in: outside the console layout; signed-in users go straight on to where they were going.
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { env } from '@/lib/env';
import { OIDC_PROVIDER_ID } from '@/lib/server/auth/auth-options';
import { getCurrentActor } from '@/lib/server/auth/page-auth';

export const metadata = { title: 'Sign in · EventDesk' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;
  const settings = env();
  // Control characters (%09, %0a ...), other origins, `//host`: all become '/', never a 500.
  const callbackUrl = safeRedirectPath(one(params.callbackUrl), settings.NEXTAUTH_URL!);
  if (await getCurrentActor().catch(() => null)) redirect(callbackUrl);
  const oidc = settings.OIDC_ISSUER && settings.OIDC_CLIENT_ID && settings.OIDC_CLIENT_SECRET ? { id: OIDC_PROVIDER_ID, name: 'single sign-on' } : null;
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-1 text-lg font-semibold tracking-tight text-slate-900">EventDesk</h1>
        <p className="mb-4 text-sm text-slate-600">Sign in to triage dead letters.</p>
        <SignInForm callbackUrl={callbackUrl} initialError={one(params.error)} oidc={oidc} />
      </div>
    </main>
  );
}
