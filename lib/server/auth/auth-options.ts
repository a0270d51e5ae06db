// next-auth (v4) configuration: credentials over the users table, optional OIDC, JWT sessions
// that carry the user id and session version (authorize() checks both against the database;
// signing out bumps the version, so a copied cookie dies with the sign-out), and redirects that
// never leave the console's origin.
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { env } from '@/lib/env';
import { logger } from '@/lib/log';
import { ensureAuthReady } from './bootstrap';
import { clientIp } from './client-ip';
import { verifyPassword } from './passwords';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';
import { wasCounted } from './credentials-throttle';
import { signInAccount, signInSucceeded } from './sign-in-throttle';
import { endSessions, findUserByEmail, recordSignIn } from './users';

/** Sessions last a working day; disabling a user ends them at once anyway. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export const OIDC_PROVIDER_ID = 'oidc';

const cache = globalThis as unknown as { __eventdeskAuthOptions?: AuthOptions };

function oidcProvider(): AuthOptions['providers'] {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = env();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: OIDC_PROVIDER_ID,
      name: 'Single sign-on',
      type: 'oauth',
      wellKnown: `${OIDC_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email?.toLowerCase() ?? null, name: profile.name ?? null };
      },
    },
  ];
}

export async function getAuthOptions(): Promise<AuthOptions> {
  const secret = await ensureAuthReady();
  if (cache.__eventdeskAuthOptions) return cache.__eventdeskAuthOptions;
  const settings = env();
  // next-auth reads these from process.env in places that do not see the options.
  process.env.NEXTAUTH_URL ??= settings.NEXTAUTH_URL;
  cache.__eventdeskAuthOptions = {
    secret,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    // httpOnly and sameSite=lax are next-auth's defaults; secure (and the __Secure- prefix)
    // whenever the console is served over https.
    useSecureCookies: settings.NEXTAUTH_URL!.startsWith('https://'),
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        // The sign-in limiter counted this try in app/api/auth/[...nextauth]/route.ts, before
        // next-auth read the body (credentials-throttle.ts); a try it did not count gets no
        // password check. Here only a success is reported back to it.
        async authorize(credentials, req) {
          const email = signInAccount(credentials?.email);
          const password = String(credentials?.password ?? '');
          if (!email || !password) return null;
          if (!wasCounted(email)) {
            logger.error({ email }, 'sign-in refused: the limiter did not count this try');
            return null;
          }
          const user = await findUserByEmail(email);
          const ok = (await verifyPassword(user?.passwordHash ?? null, password)) && user?.status === 'active';
          if (!ok || !user) return null;
          await signInSucceeded(email, clientIp(req?.headers ?? {}));
          await recordSignIn(user.id);
          return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion } as never;
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      // Every redirect next-auth makes (after sign-in, sign-out, to an error page): a path on
      // this origin. next-auth's default accepts `/\t/evil.example`, which browsers read as
      // //evil.example.
      redirect({ url, baseUrl }) {
        return new URL(safeRedirectPath(url, baseUrl), baseUrl).toString();
      },
      // OIDC only lets in people an admin has added (by email) and not disabled.
      async signIn({ user, account }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const known = user.email ? await findUserByEmail(user.email) : null;
        return Boolean(known && known.status === 'active');
      },
      async jwt({ token, user, account }) {
        if (!user) return token;
        const dbUser = account?.provider === OIDC_PROVIDER_ID ? await findUserByEmail(user.email ?? '') : null;
        if (dbUser) {
          await recordSignIn(dbUser.id);
          return { ...token, sub: dbUser.id, email: dbUser.email, sv: dbUser.sessionVersion };
        }
        return { ...token, sub: user.id, sv: (user as { sv?: number }).sv };
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, email: token.email ?? null } };
      },
    },
    events: {
      // Signing out ends the session for good: the cookie's version is no longer the user's, so a
      // copy of it is refused everywhere (authorize(), pages, proxy). Only a current session can
      // bump it (a stale copy signing out changes nothing); this ends the user's other sessions
      // too, as one version is kept per user. next-auth logs a failure here and still clears
      // the cookie.
      async signOut({ token }) {
        if (token?.sub && typeof token.sv === 'number') await endSessions(token.sub, token.sv);
      },
    },
    logger: {
      error: (code, metadata) => logger.warn({ code, metadata }, 'next-auth error'),
      warn: (code) => logger.warn({ code }, 'next-auth warning'),
      debug: () => {},
    },
  };
  return cache.__eventdeskAuthOptions;
}
