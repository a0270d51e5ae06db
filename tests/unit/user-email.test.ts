// Which addresses a new user may have: what a browser's <input type="email"> accepts.
import { describe, expect, it } from 'vitest';
import { createUserSchema } from '@/lib/schemas/users';

const emailOf = (email: string) => createUserSchema.safeParse({ email, role: 'viewer' });

describe('a new user email', () => {
  it.each(['a@b.c', 'ops@localhost', 'Ada.Lovelace+oncall@example.co.uk'])('accepts %s', (email) => {
    const r = emailOf(email);
    expect(r.success).toBe(true);
    expect(r.data?.email).toBe(email.toLowerCase());
  });

  it.each(['a', 'a@', '@b.c', 'a b@c.d', 'a@b@c', 'a@-b.c', 'a@b..c'])('refuses %s, naming the field', (email) => {
    const r = emailOf(email);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual(['email', 'expected an email address']);
  });
});
