// API token format, hashing and insertion over a plain pg client. Deliberately WITHOUT
// `import 'server-only'`: scripts/token.ts (tsx, no react-server condition) and the test helpers
// use it too. It holds no secret: tokens are 256 random bits, stored only as their sha256.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Role } from '@/lib/schemas/users';

export const TOKEN_PREFIX = 'edk_';

export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** sha256 is enough here: the token is high-entropy, so a slow hash would add nothing. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}

/** A token, live or revoked, already has the name a new one asks for (the name is the audit actor). */
export class TokenNameTaken extends Error {
  constructor(readonly tokenName: string) {
    super(`Another token, live or revoked, is named "${tokenName}": a token's name is its actor in the audit log, so names are never reused`);
    this.name = 'TokenNameTaken';
  }
}

/**
 * One name, one token, for good: the audit log names a token by its name, so a revoked token's
 * name given to a new one would make the old lines read as the new token's. Call in the
 * transaction that inserts it (Settings, the API and scripts/token.ts alike). Creations queue on
 * one lock, so two of one name at once cannot both pass the check.
 */
export async function ensureTokenNameFree(db: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }, name: string): Promise<void> {
  await db.query(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('eventdesk:api-token-name'))) l`);
  const { rows } = await db.query(`SELECT 1 AS taken FROM api_tokens WHERE lower(name) = lower($1) LIMIT 1`, [name]);
  if (rows.length) throw new TokenNameTaken(name);
}

export interface InsertedToken {
  id: string;
  token: string;
}

export async function insertApiToken(client: Pick<pg.Client, 'query'>, input: { name: string; role: Role; createdBy: string }): Promise<InsertedToken> {
  const token = generateApiToken();
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO "api_tokens" ("name", "role", "token_hash", "prefix", "created_by") VALUES ($1, $2, $3, $4, $5) RETURNING "id"`,
    [input.name, input.role, hashApiToken(token), tokenDisplayPrefix(token), input.createdBy],
  );
  return { id: rows[0].id, token };
}
