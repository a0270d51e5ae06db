// API tokens: the list and the Bearer lookup. Creating and revoking are admin actions:
// lib/actions/create-api-token.ts and revoke-api-token.ts.
import 'server-only';
import { prisma } from '@/lib/server/db';
import type { ApiToken } from '@/lib/schemas/tokens';
import type { Role } from '@/lib/schemas/users';
import { hashApiToken } from './api-token-core';

type TokenRow = Awaited<ReturnType<typeof prisma.apiToken.findUniqueOrThrow>>;

export function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function listTokens(): Promise<ApiToken[]> {
  const rows = await prisma.apiToken.findMany({ orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }] });
  return rows.map(toApiToken);
}

export interface TokenActor {
  id: string;
  name: string;
  role: Role;
}

// Scripts may call in a loop: cache lookups briefly (a revoke here clears the entry at once;
// other processes see it within TOKEN_TTL_MS) and write last_used_at at most once a minute.
const TOKEN_TTL_MS = 3_000;
const LAST_USED_EVERY_MS = 60_000;
const g = globalThis as unknown as {
  __eventdeskTokens?: Map<string, { at: number; token: (TokenActor & { lastUsedAt: number }) | null }>;
};
const tokenCache = (g.__eventdeskTokens ??= new Map());

/** A revoked token stops working in this process at once (others within TOKEN_TTL_MS). */
export function forgetToken(tokenHash: string): void {
  tokenCache.delete(tokenHash);
}

export async function findActiveToken(token: string): Promise<TokenActor | null> {
  const tokenHash = hashApiToken(token);
  let hit = tokenCache.get(tokenHash);
  if (!hit || Date.now() - hit.at >= TOKEN_TTL_MS) {
    const row = await prisma.apiToken.findUnique({ where: { tokenHash } });
    const active = row && !row.revokedAt ? { id: row.id, name: row.name, role: row.role as Role, lastUsedAt: row.lastUsedAt?.getTime() ?? 0 } : null;
    if (tokenCache.size > 10_000) tokenCache.clear();
    hit = { at: Date.now(), token: active };
    tokenCache.set(tokenHash, hit);
  }
  const found = hit.token;
  if (!found) return null;
  if (Date.now() - found.lastUsedAt >= LAST_USED_EVERY_MS) {
    found.lastUsedAt = Date.now();
    // Not awaited: a slow write must not slow the request; a lost one is re-tried next minute.
    prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: new Date() } }).catch(() => {
      /* best effort, see above */
    });
  }
  return { id: found.id, name: found.name, role: found.role };
}
