// next-auth's endpoints (sign-in, callbacks, sign-out, csrf, session). Public by nature.
import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/lib/server/auth/auth-options';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

// The options are built once the secret is loaded from (or created in) the database.
async function handler(request: NextRequest, context: Context): Promise<Response> {
  return NextAuth(request, context, await getAuthOptions());
}

export { handler as GET, handler as POST };
