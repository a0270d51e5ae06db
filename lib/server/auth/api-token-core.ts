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
