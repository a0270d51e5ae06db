// Shapes of /api/tokens, shared by the routes and the client hooks.
import { z } from 'zod';
import { roleSchema } from './users';
import { safeTrimmed } from './safe-input';

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  /** the token's first characters, to tell tokens apart */
  prefix: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenListSchema = z.object({ items: z.array(apiTokenSchema) });
export type ApiTokenList = z.infer<typeof apiTokenListSchema>;

/** Audit actors of EventDesk itself (the drain's reopens, the bulk runner's endings, the CLI): no token may pass for them. */
export const RESERVED_TOKEN_NAMES = ['system', 'drain', 'cli'];

export const createTokenSchema = z.strictObject({
  // No "@": the name is the audit actor, and must not pass for a user's email, nor for EventDesk's own.
  name: safeTrimmed(100, 1, 'expected a name')
    .pipe(z.string().regex(/^[^@]+$/, 'a token name cannot contain @'))
    .refine((n) => !RESERVED_TOKEN_NAMES.includes(n.toLowerCase()), `reserved for EventDesk's own audit lines (${RESERVED_TOKEN_NAMES.join(', ')})`),
  role: roleSchema,
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

/** The token itself is in this response only: it is stored hashed. */
export const createdTokenSchema = z.object({ token: z.string(), item: apiTokenSchema });
export type CreatedToken = z.infer<typeof createdTokenSchema>;
