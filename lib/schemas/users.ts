// Roles and the shapes of /api/users, /api/users/assignable and /api/me, shared by the routes and the client hooks.
import { z } from 'zod';
import { safeText, safeTrimmed } from './safe-input';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const roleSchema = z.enum(ROLES, { message: 'expected viewer, operator or admin' });
export type Role = z.infer<typeof roleSchema>;

const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** viewer < operator < admin: true when `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

export const USER_STATUSES = ['active', 'disabled'] as const;
export const userStatusSchema = z.enum(USER_STATUSES);

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  status: userStatusSchema,
  hasPassword: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
  createdBy: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const userListSchema = z.object({ items: z.array(userSchema) });
export type UserList = z.infer<typeof userListSchema>;

/** GET /api/users/assignable answers at most this many users. */
export const ASSIGNABLE_USERS_LIMIT = 500;

/** Someone a failure group can be assigned to: an active operator or admin, id and email only. */
export const assignableUserSchema = z.object({ id: z.string(), email: z.string() }).strict();
export type AssignableUser = z.infer<typeof assignableUserSchema>;

/** GET /api/users/assignable (viewer): active operators and admins, by email. */
export const assignableUserListSchema = z.object({ items: z.array(assignableUserSchema).max(ASSIGNABLE_USERS_LIMIT) }).strict();
export type AssignableUserList = z.infer<typeof assignableUserListSchema>;

export const createUserSchema = z.strictObject({
  // what a browser's <input type="email"> accepts (WHATWG): a@b.c and ops@localhost are addresses
  // too (zod's default wants a dotted domain with a TLD of two letters or more)
  email: safeTrimmed(320).pipe(z.string().toLowerCase().regex(z.regexes.html5Email, 'expected an email address')),
  name: safeTrimmed(200).optional(),
  role: roleSchema,
  /** empty: a password is generated and returned once (or the user signs in with OIDC only) */
  password: z.preprocess((v) => (v === '' ? undefined : v), safeText(200).pipe(z.string().min(8, 'expected at least 8 characters')).optional()),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    role: roleSchema.optional(),
    status: userStatusSchema.optional(),
    /** true: generate a new password (returned once) and end the user's sessions */
    resetPassword: z.boolean().optional(),
  })
  .refine((v) => v.role !== undefined || v.status !== undefined || v.resetPassword, { message: 'nothing to change' });
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

/** POST /api/users and PATCH /api/users/:id: the user, and the generated password when one was made. */
export const userWriteResultSchema = z.object({ user: userSchema, password: z.string().optional() });
export type UserWriteResult = z.infer<typeof userWriteResultSchema>;

export const meSchema = z.object({
  name: z.string(),
  role: roleSchema,
  kind: z.enum(['user', 'token', 'system']),
});
export type Me = z.infer<typeof meSchema>;
