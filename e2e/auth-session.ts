// Signs in through next-auth's endpoints with Playwright's request API and saves the cookies as
// a storageState file, so browser contexts start signed in (the admin's for every UI spec by
// default, see playwright.config.ts; viewers' and operators' in fixtures.ts).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { request } from '@playwright/test';

/** Where the default (admin) storageState lives: one file per run, inherited by the workers. */
export function adminStorageStatePath(): string {
  process.env.E2E_STORAGE_STATE ??= path.join(os.tmpdir(), `eventdesk-e2e-admin-${randomUUID()}.json`);
  return process.env.E2E_STORAGE_STATE;
}

export async function signInStorageState(baseURL: string, email: string, password: string, file?: string) {
  const context = await request.newContext({ baseURL });
  try {
    const { csrfToken } = (await (await context.get('/api/auth/csrf')).json()) as { csrfToken: string };
    const res = await context.post('/api/auth/callback/credentials', {
      form: { email, password, csrfToken, json: 'true', callbackUrl: '/' },
      maxRedirects: 0,
    });
    const { url } = (await res.json()) as { url?: string };
    const error = url ? new URL(url, baseURL).searchParams.get('error') : 'no answer';
    if (error) throw new Error(`sign-in as ${email} failed: ${error}`);
    return await context.storageState(file ? { path: file } : undefined);
  } finally {
    await context.dispose();
  }
}
