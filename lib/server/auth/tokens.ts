// API tokens: create (the token is returned once), list, revoke, and look up a Bearer token.
import 'server-only';
import { notFound } from '@/lib/api/errors';
import { prisma } from '@/lib/server/db';
import type { ApiToken, CreatedToken, CreateTokenInput } from '@/lib/schemas/tokens';
import type { Role } from '@/lib/schemas/users';
import { generateApiToken, hashApiToken, tokenDisplayPrefix } from './api-token-core';

type TokenRow = Awaited<ReturnType<typeof prisma.apiToken.findUniqueOrThrow>>;

function toApiToken(row: TokenRow): ApiToken {
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

export async function createToken(input: CreateTokenInput, createdBy: string): Promise<CreatedToken> {
  const token = generateApiToken();
  const row = await prisma.apiToken.create({
    data: { name: input.name, role: input.role, tokenHash: hashApiToken(token), prefix: tokenDisplayPrefix(token), createdBy },
  });
  return { token, item: toApiToken(row) };
}

export async function revokeToken(id: string): Promise<ApiToken> {
  const existing = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await prisma.apiToken.findUnique({ where: { id } }) : null;
  if (!existing) throw notFound('Token');
  const row = existing.revokedAt ? existing : await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  tokenCache.delete(row.tokenHash);
  return toApiToken(row);
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
